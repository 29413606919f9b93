"""`python -m azdebug ...`"""

import sys

from azdebug.cli import main

sys.exit(main())
