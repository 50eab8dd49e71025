"""``python -m compiler.cli``: the same as the ``kc`` command."""

import sys

from compiler.cli import main

sys.exit(main())
