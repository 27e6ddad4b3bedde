"""``python -m skdl``: the ``skdl`` command."""

import sys

from skdl.cli import main

if __name__ == "__main__":
    sys.exit(main())
