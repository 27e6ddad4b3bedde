#!/usr/bin/env bash
# The main job: the red-wine grid search, cross-validated, with its report.
source "$(dirname "$0")/bootstrap.sh"
exec python examples/plot_red_wine_grid_search.py "$@"
