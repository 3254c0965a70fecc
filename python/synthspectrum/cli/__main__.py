"""``python -m synthspectrum.cli``: the same as the ``synthspectrum`` command."""

import sys

from synthspectrum.cli import main

sys.exit(main())
