"""`python -m pipeline.cli`: the `newswatch` command."""

import sys

from pipeline.cli import main

sys.exit(main())
