# Sourced by the other scripts: make .venv from pyproject.toml if it is missing
# or older than pyproject.toml, then put it first on PATH.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ ! -x .venv/bin/python ] || [ pyproject.toml -nt .venv/.installed ]; then
    python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
        { echo "skdl needs Python 3.11 or newer as python3" >&2; exit 1; }
    echo "Setting up .venv from pyproject.toml (first run only; log in .venv/install.log)" >&2
    python3 -m venv .venv
    # Build-tool notices go to the log; it is shown only if the install fails.
    {
        .venv/bin/python -m pip install --quiet --upgrade pip &&
            .venv/bin/python -m pip install --quiet -e ".[test,docs,dask,jax]"
    } >.venv/install.log 2>&1 || { cat .venv/install.log >&2; exit 1; }
    touch .venv/.installed
fi
export PATH="$PWD/.venv/bin:$PATH"
