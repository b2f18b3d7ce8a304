"""``python -m triage`` is the ``triage`` command."""

import sys

from .cli import main

sys.exit(main())
