"""``python -m pynector.telemetry``: see :mod:`pynector.telemetry._cli`."""

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
