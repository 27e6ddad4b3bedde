#!/usr/bin/env bash
# The main job: the red-wine grid search, 10-fold cross-validated, reported in
# report.html. Extra options go to `skdl report` (e.g. --n-jobs 2).
source "$(dirname "$0")/bootstrap.sh"
exec skdl report --data wine_quality --grid examples/red_wine_grid.toml \
    --out report.html "$@"
