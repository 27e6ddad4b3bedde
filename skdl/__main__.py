"""``python -m skdl``: the ``skdl`` command."""

import sys

from skdl.cli import main

sys.exit(main())
