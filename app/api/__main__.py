"""`python -m app.api --library DIR [--port N]`: the API without a window (for scripts)."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path

import qasync
from PySide6.QtCore import QCoreApplication

from app.api.server import ApiServer, load_or_create_token
from app.core.errors import FolioError
from app.core.paths import default_library_dir
from app.services.session import open_for_work
from app.tasks.manager import ExtractionManager


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m app.api")
    parser.add_argument("--library", type=Path, default=None)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token-file", type=Path, default=None)
    args = parser.parse_args()
    app = QCoreApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        token = load_or_create_token(args.token_file)
        library = open_for_work(args.library or default_library_dir())
    except FolioError as exc:
        print(f"folio: {exc.message}", file=sys.stderr)
        return 1
    manager = ExtractionManager(library)
    manager.start()
    server = ApiServer(manager, token, args.port)
    try:
        port = loop.run_until_complete(server.start())
    except OSError as exc:
        print(
            f"folio: cannot listen on 127.0.0.1:{args.port} ({exc.strerror or exc}); "
            "choose another --port, or 0 for any free one.",
            file=sys.stderr,
        )
        manager.shutdown()
        library.close()
        return 1
    print(f"http://127.0.0.1:{port}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    loop.run_until_complete(stop.wait())
    loop.run_until_complete(server.stop())
    manager.shutdown()
    library.close()
    # Closing the loop joins its executor's threads: Qt aborts if one is left running.
    loop.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
