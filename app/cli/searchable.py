"""folio searchable-pdf: a scan (PDF or image) saved as a PDF whose text can be selected.

Like `ocrmypdf INPUT OUTPUT`: every page image kept as it is, an invisible text layer
laid on the words, pages that already have text left alone. Headless, no library.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.cli.parser import EXIT_INPUT_FAILED, EXIT_OK


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Ctrl+C or a kill stops the pages being read; the build then leaves no file."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        stop.set()

    saved = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in saved.items():
            signal.signal(sig, old)


def cmd_searchable_pdf(args: argparse.Namespace) -> int:
    from app.cli.passwords import asker, locked_line
    from app.core.errors import FolioError
    from app.core.locked import PasswordNeeded
    from app.extraction.client import WorkerCancelled, WorkerPool
    from app.extraction.searchable import SearchableBuilder

    source: Path = args.input
    output: Path = args.output
    jobs = max(1, int(args.jobs))
    pool = WorkerPool(keep_idle=jobs)
    pool.warm(jobs)
    last = [-1]

    def progress(fraction: float, message: str) -> None:
        percent = int(fraction * 100)
        if args.quiet or percent == last[0] or not sys.stderr.isatty():
            return
        last[0] = percent
        print(f"\r{percent:3d}% {message[:70]:<70}", end="", file=sys.stderr, flush=True)

    def ask(path: Path, wrong: bool) -> str | None:
        if last[0] >= 0:  # the question goes on a line of its own
            print(file=sys.stderr)
            last[0] = -1
        return terminal(path, wrong) if terminal is not None else None

    given = args.password or None
    terminal = asker(args)
    builder = SearchableBuilder(
        pool,
        source,
        output,
        name=str(source),
        lang=args.lang or "",
        jobs=jobs,
        progress=progress,
        password=given,
        ask_password=ask if terminal is not None else None,
    )
    stop = threading.Event()
    result = None
    error: str | None = None

    def build() -> None:
        nonlocal result, error
        try:
            result = builder.run()
        except WorkerCancelled:
            error = "stopped; nothing was written."
        except PasswordNeeded as exc:
            error = locked_line(str(source), exc.wrong, given is not None)
        except FolioError as exc:
            error = exc.message
        except Exception as exc:  # noqa: BLE001 - the command ends in a sentence
            error = f"{source} could not be made searchable ({type(exc).__name__}: {exc})."

    try:
        with _stop_on_signals(stop):
            thread = threading.Thread(target=build, name="searchable-pdf")
            thread.start()
            while thread.is_alive():
                if stop.wait(0.1):
                    builder.cancel()
                    thread.join()
                    break
    finally:
        pool.close()
    if not args.quiet and last[0] >= 0:
        print(file=sys.stderr)
    if stop.is_set():
        print("folio: interrupted; nothing was written.", file=sys.stderr)
        return 130
    if error is not None or result is None:
        print(f"folio: {error or 'nothing was written.'}", file=sys.stderr)
        return EXIT_INPUT_FAILED
    if args.json:
        from app.cli.output import json_text

        print(
            json_text(
                {
                    "output": str(result.output),
                    "pages": result.pages,
                    "ocrPages": result.ocr_pages,
                    "keptPages": result.kept_pages,
                }
            )
        )
    elif not args.quiet:
        print(f"{result.summary()}.")
    return EXIT_OK
