"""folio extract: every page's text, read headless."""

from __future__ import annotations

import argparse
import sys

from app.cli.output import json_text, print_notes
from app.cli.parser import EXIT_INPUT_FAILED, EXIT_OK, EXIT_USAGE
from app.cli.passwords import asker, locked_line
from app.core.models import OcrMode


def cmd_extract(args: argparse.Namespace) -> int:
    from app.extraction.batch import BatchExtractor, parse_page_ranges
    from app.services.walk import collect_files

    pages = None
    if args.pages:
        try:
            pages = parse_page_ranges(args.pages)
        except ValueError as exc:
            print(f"folio: --pages: {exc}.", file=sys.stderr)
            return EXIT_USAGE
    collected = collect_files(args.paths)
    notes = collected.notes()
    status = EXIT_OK
    from app.extraction.languages import installed_default

    # With OCR off no language is used: Tesseract is not even looked for.
    lang = args.lang or ("eng" if args.ocr == OcrMode.NEVER.value else installed_default())
    jobs, workers = args.jobs, None
    if getattr(args, "cluster", None):
        from app.cluster import ClusterError
        from app.cluster.client import connect

        try:
            workers = connect(args.cluster)
        except ClusterError as exc:
            print(f"folio: {exc.message}", file=sys.stderr)
            return EXIT_INPUT_FAILED
        # Every thread of the cluster busy, and a page waiting behind each on the scheduler.
        jobs = max(jobs, 2 * workers.slots())
    given = args.password or None
    with BatchExtractor(
        OcrMode(args.ocr),
        lang,
        pages,
        jobs,
        workers=workers,
        password=given,
        ask_password=asker(args),
    ) as batch:
        for result in batch.run(iter(collected.files)):
            if result.locked is not None:
                result.error = locked_line(result.file, result.locked, given is not None)
            if result.error:
                status = EXIT_INPUT_FAILED
                print(f"folio: {result.error}", file=sys.stderr)
            if args.json:
                sys.stdout.write(json_text(result.to_json()) + "\n")
            else:
                for page in result.pages:
                    if page.error:
                        continue
                    how = page.method or ""
                    if page.confidence is not None:
                        how += f", {page.confidence:.0f}% confidence"
                    print(f"==> {result.file} · page {page.number} ({how}) <==")
                    print(page.text or "")
                    print()
            sys.stdout.flush()
    print_notes(notes)
    return status
