"""Entry script of the frozen bundle: the same `main()` as the `folio` console script."""

import sys

from app.main import main

if __name__ == "__main__":
    sys.exit(main())
