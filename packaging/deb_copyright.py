"""Writes the .deb's machine-readable copyright file from the bundle's licence list.

    python packaging/deb_copyright.py BUNDLE_INTERNAL_DIR DOC_DIR

The bundle carries licenses/components.txt (written by folio.spec: every bundled
distribution with its version and licence) and the licence texts beside it.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

HEADER = """\
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: Folio
Source: https://github.com/folio/folio

Files: *
Copyright: {year} The Folio authors
License: GPL-3.0-or-later
"""

GPL = """\
License: GPL-3.0-or-later
 This program is free software: you can redistribute it and/or modify it under
 the terms of the GNU General Public License as published by the Free Software
 Foundation, either version 3 of the License, or (at your option) any later
 version.
 .
 On Debian systems, the complete text of the GNU General Public License
 version 3 can be found in /usr/share/common-licenses/GPL-3.
"""

LGPL = """\
License: LGPL-3.0-only OR GPL-2.0-only OR GPL-3.0-only
 Qt and Qt for Python (PySide6, shiboken6) are used under the GNU Lesser
 General Public License version 3. The Qt libraries are dynamically linked
 shared objects in /opt/folio/_internal/PySide6/Qt/lib and may be replaced.
 .
 On Debian systems, the complete texts are in /usr/share/common-licenses/LGPL-3,
 /usr/share/common-licenses/GPL-2 and /usr/share/common-licenses/GPL-3.
"""


def main(internal: Path, doc: Path) -> int:
    listing = internal / "licenses" / "components.txt"
    if not listing.is_file():
        print(f"deb_copyright.py: {listing} is missing; rebuild the bundle.", file=sys.stderr)
        return 1
    components = [
        line.strip()
        for line in listing.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("folio ")
    ]
    year = time.gmtime(int(os.environ.get("SOURCE_DATE_EPOCH", time.time()))).tm_year
    body = [HEADER.format(year=year)]
    body.append(
        "Files: opt/folio/_internal/*\n"
        "Copyright: The authors of each component\n"
        "License: bundled\n"
        " Folio's bundle contains these components (name, version: licence):\n"
        + "".join(f"  {line}\n" for line in components)
        + " .\n"
        " The licence text of each is in /opt/folio/_internal/licenses/<name>/.\n"
    )
    body.append(
        "Files: opt/folio/_internal/PySide6/*\n"
        "Copyright: The Qt Company Ltd. and other contributors\n"
        "License: LGPL-3.0-only OR GPL-2.0-only OR GPL-3.0-only\n"
    )
    body.append(GPL)
    body.append(LGPL)
    body.append(
        "License: bundled\n"
        " Each component is under its own licence, named in the list above; the\n"
        " full texts are shipped with the bundle.\n"
    )
    doc.mkdir(parents=True, exist_ok=True)
    (doc / "copyright").write_text("\n".join(body), encoding="utf-8")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print("usage: deb_copyright.py BUNDLE_INTERNAL_DIR DOC_DIR", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
