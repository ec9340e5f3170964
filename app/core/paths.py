"""Where the library lives by default, and where Folio's own files are."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

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
