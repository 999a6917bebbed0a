"""`python -m zeebind`: the command line."""

import sys

from zeebind.cli import main

sys.exit(main())
