#!/usr/bin/env bash
# Build the documentation into docs/_build/html (open docs/_build/html/index.html).
# Warnings are errors. Extra options go to sphinx-build (e.g. -E to re-read every
# page). The example gallery runs the examples with SKDL_EXAMPLES_QUICK=1 (fewer
# epochs); an example whose source has not changed since the last build is not rerun.
source "$(dirname "$0")/bootstrap.sh"
if ! python -c 'import sphinx, pydata_sphinx_theme, numpydoc, sphinx_gallery' 2>/dev/null; then
    echo "installing the docs extra into .venv (log in .venv/install.log)" >&2
    python -m pip install --quiet -e ".[docs]" >.venv/install.log 2>&1 ||
        { cat .venv/install.log >&2; exit 1; }
fi
exec sphinx-build -W --keep-going -b html docs docs/_build/html "$@"
