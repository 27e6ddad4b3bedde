#!/usr/bin/env bash
# The test suite, lint included. Pass pytest options, e.g. -m "not slow".
source "$(dirname "$0")/bootstrap.sh"
source scripts/browser.sh
ruff check skdl tests examples
ruff format --check skdl tests examples
exec python -m pytest --doctest-modules skdl tests "$@"
