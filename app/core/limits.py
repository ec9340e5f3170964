"""How much Folio reads of a file, and how it opens one without ever waiting."""

from __future__ import annotations

import os

#: The largest file Folio reads (2 GiB): a bigger "document" is a mistake or an attack.
MAX_FILE_BYTES = 2 * 1024**3

#: Flags for opening a file to read: the open never waits (a named pipe swapped in
#: after a check cannot hang the reader) and the descriptor is not inherited.
NO_WAIT_READ = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
