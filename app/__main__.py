"""`python -m app` starts Folio."""

import sys

from app.main import main

sys.exit(main())
