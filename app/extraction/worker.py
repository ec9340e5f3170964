"""The extraction worker process: parses untrusted documents within set limits.

Protocol: one JSON request per line on stdin; zero or more progress lines
(`{"progress": p, "message": m}`) then one reply (`{"ok": true, "result": ...}` or
`{"ok": false, "error": sentence}`) per line on the original stdout.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any, TextIO

from app.extraction.lifetime import CpuBackstop, die_with_parent, use_private_temp

ENV_MEMORY_MB = "FOLIO_WORKER_MEMORY_MB"
ENV_LIFELINE = "FOLIO_LIFELINE_FD"
ENV_WORK_DIR = "FOLIO_WORK_DIR"
DEFAULT_MEMORY_MB = 1536


def _limit_memory() -> int:
    megabytes = int(os.environ.get(ENV_MEMORY_MB, DEFAULT_MEMORY_MB))
    try:
        import resource
    except ImportError:  # Windows: the parent's timeout is the only guard
        return megabytes
    limit = megabytes * 1024 * 1024
    # RLIMIT_AS would count PDFium's huge address-space reservations; DATA counts
    # what is really allocated. Tesseract in process counts here: a worker's data
    # grew from 19 MB to 81 MB reading a page with eng, 112 MB with eng+deu kept too.
    # The Tesseract program, where it is used, inherits the limit.
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    return megabytes


def _kill_group() -> None:
    if hasattr(os, "killpg"):
        os.killpg(os.getpgrp(), signal.SIGKILL)
    os._exit(1)


def _watch_lifeline() -> None:
    """Die (with any Tesseract we started) as soon as the parent process is gone.

    Used only where the kernel cannot do it (see `die_with_parent`): this thread
    cannot run while C code holds the GIL.
    """
    fd_text = os.environ.get(ENV_LIFELINE)
    if not fd_text:
        return
    fd = int(fd_text)

    def watch() -> None:
        try:
            while os.read(fd, 1):
                pass
        except OSError:
            pass
        _kill_group()

    threading.Thread(target=watch, name="lifeline", daemon=True).start()


def serve(requests: TextIO, replies: TextIO) -> int:
    # Imported here so a broken install fails inside the worker with a reply.
    from app.core.errors import FolioError
    from app.core.locked import PasswordNeeded
    from app.core.models import OcrMode
    from app.extraction.engine import PageEngine
    from app.extraction.protocol import (
        LockedReply,
        PageRequest,
        PingRequest,
        ProbeRequest,
        RenderRequest,
        SearchablePageRequest,
        parse_request,
        request_name,
    )

    megabytes = _limit_memory()
    backstop = CpuBackstop()
    work_dir = os.environ.get(ENV_WORK_DIR)
    if work_dir:
        use_private_temp(Path(work_dir))
    engine = PageEngine(Path(work_dir) if work_dir else None)

    def send(obj: dict[str, Any]) -> None:
        replies.write(json.dumps(obj) + "\n")
        replies.flush()

    try:
        for line in requests:
            if not line.strip():
                continue
            try:
                request = parse_request(json.loads(line))
            except ValueError as exc:
                send({"ok": False, "error": f"Bad request: {exc}."})
                continue
            name = request_name(request)
            backstop.arm()
            try:
                if isinstance(request, PingRequest):
                    send({"ok": True, "result": {"pid": os.getpid()}})
                elif isinstance(request, ProbeRequest):
                    send(
                        {
                            "ok": True,
                            "result": engine.probe(Path(request.path), name, request.password),
                        }
                    )
                elif isinstance(request, PageRequest):
                    result = engine.page(
                        Path(request.path),
                        name,
                        request.kind,
                        int(request.number),
                        OcrMode(request.ocr),
                        request.lang,
                        lambda p, m, b: send({"progress": p, "message": m, "budget": b}),
                        int(request.rotation),
                        bool(request.words),
                        request.password,
                    )
                    send({"ok": True, "result": result.to_json()})
                elif isinstance(request, RenderRequest):
                    result_png = engine.render(
                        Path(request.path),
                        name,
                        request.kind,
                        int(request.index),
                        int(request.width),
                        request.password,
                    )
                    send({"ok": True, "result": result_png})
                elif isinstance(request, SearchablePageRequest):
                    # Imported on first use: it brings pypdf, which reading text does
                    # not need (its import took ~75 ms of every worker's start).
                    from app.extraction.searchable_page import searchable_page

                    files = searchable_page(
                        engine,
                        request,
                        lambda p, m, b: send({"progress": p, "message": m, "budget": b}),
                    )
                    send({"ok": True, "result": files})
                else:  # ExitRequest
                    break
            except PasswordNeeded as exc:
                send(LockedReply(wrong=exc.wrong).to_wire(exc.message))
            except FolioError as exc:
                send({"ok": False, "error": exc.message})
            except MemoryError:
                send(
                    {
                        "ok": False,
                        "error": f"{name} needs more memory than the {megabytes} MB a worker may "
                        "use; split or simplify the document and import it again.",
                    }
                )
                return 1
            except RecursionError:
                send(
                    {
                        "ok": False,
                        "error": f"{name} is nested too deeply to read safely; "
                        "re-save it in another program and import it again.",
                    }
                )
            except Exception as exc:  # noqa: BLE001 - a hostile file must end in a sentence
                send(
                    {
                        "ok": False,
                        "error": f"{name} could not be read ({type(exc).__name__}: "
                        f"{str(exc)[:160]}); the file may be damaged.",
                    }
                )
    finally:
        engine.close()
    return 0


def main() -> int:
    # First of all: from here on the kernel ends this process when Folio ends.
    if not die_with_parent():
        _watch_lifeline()
    # Replies go to a private copy of stdout; anything a library prints goes to stderr.
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.setrecursionlimit(3000)
    requests = os.fdopen(0, "r", encoding="utf-8")
    return serve(requests, replies)


if __name__ == "__main__":
    sys.exit(main())
