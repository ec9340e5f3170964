"""Where the library lives by default, and where Folio's own files are."""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path

import platformdirs

from app.core.errors import FolioError, describe_os_error

APP_NAME = "Folio"


def default_library_dir() -> Path:
    """`FOLIO_LIBRARY`, else the platform's user data folder."""
    env = os.environ.get("FOLIO_LIBRARY")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "Library"


def resources_dir() -> Path:
    """`resources/` from a source checkout, an installed package or a frozen bundle."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def runtime_dir(max_length: int | None = None) -> Path:
    """A folder only this user can enter, for sockets of this session; made if needed.

    The platform's per-user runtime folder (`$XDG_RUNTIME_DIR/Folio` on Linux), else a
    folder of ours in the temporary folder; with `max_length`, only a folder whose path
    is shorter (sockets have short path limits). Raises FolioError, with a sentence,
    when the folder exists but belongs to another user or is not a folder.
    """
    candidates: list[Path] = []
    xdg = os.environ.get("XDG_RUNTIME_DIR", "")
    if sys.platform in ("darwin", "win32") or xdg.startswith("/"):
        candidates.append(Path(platformdirs.user_runtime_dir(APP_NAME, appauthor=False)))
    uid = os.getuid() if hasattr(os, "getuid") else 0
    candidates.append(Path(tempfile.gettempdir()) / f"folio-{uid}")
    fitting = [c for c in candidates if max_length is None or len(str(c)) < max_length]
    return private_dir(fitting[0] if fitting else candidates[-1])


def private_dir(path: Path) -> Path:
    """`path` as a folder of this user's that no one else may enter (0700), or FolioError."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.lstat(path)
    except OSError as exc:
        raise FolioError(describe_os_error(exc, str(path), "create the folder")) from exc
    if not stat.S_ISDIR(st.st_mode):
        raise FolioError(
            f"{path} is not a folder, so Folio cannot keep its private files there; "
            "remove it and start Folio again."
        )
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        raise FolioError(
            f"The folder {path} belongs to another user, so Folio cannot keep its private "
            "files there; remove it, or set XDG_RUNTIME_DIR to a folder of yours."
        )
    if os.name == "posix" and stat.S_IMODE(st.st_mode) & 0o077:
        try:
            os.chmod(path, 0o700)
        except OSError as exc:
            raise FolioError(describe_os_error(exc, str(path), "make private")) from exc
    return path
