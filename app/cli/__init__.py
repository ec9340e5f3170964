"""Headless commands: extract, searchable-pdf, import, watch, tasks, sources, search, rename,
restore, delete, trash, collections."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from app.cli.output import printable_output
from app.cli.parser import EXIT_INPUT_FAILED, EXIT_OK, EXIT_USAGE, build_parser
from app.core.errors import FolioError

SUBCOMMANDS = (
    "extract",
    "searchable-pdf",
    "import",
    "watch",
    "tasks",
    "sources",
    "search",
    "rename",
    "restore",
    "delete",
    "trash",
    "collections",
)


def run(argv: Sequence[str]) -> int:
    # Names and text of documents reach the terminal: never as control sequences.
    with printable_output():
        return _run(argv)


def _run(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(list(argv))
    args.library = getattr(args, "library", None)
    args.json = getattr(args, "json", False)
    # Each command's module is imported when it runs: `folio extract` starts without the
    # library's code, `folio search` without the extraction code.
    try:
        if args.command == "extract":
            from app.cli.extract import cmd_extract

            return cmd_extract(args)
        if args.command == "searchable-pdf":
            from app.cli.searchable import cmd_searchable_pdf

            return cmd_searchable_pdf(args)
        if args.command == "import":
            from app.cli.importing import cmd_import

            return cmd_import(args)
        if args.command == "watch":
            from app.cli.watching import cmd_watch

            return cmd_watch(args)
        if args.command == "tasks":
            from app.cli.tasks import cmd_tasks

            return cmd_tasks(args)
        if args.command in ("delete", "trash", "collections"):
            from app.cli import trash

            filing = {
                "delete": trash.cmd_delete,
                "trash": trash.cmd_trash,
                "collections": trash.cmd_collections,
            }
            return filing[args.command](args)
        if args.command in ("sources", "search", "rename", "restore"):
            from app.cli import library

            commands = {
                "sources": library.cmd_sources,
                "search": library.cmd_search,
                "rename": library.cmd_rename,
                "restore": library.cmd_restore,
            }
            return commands[args.command](args)
    except FolioError as exc:
        print(f"folio: {exc.message}", file=sys.stderr)
        return EXIT_INPUT_FAILED
    except KeyboardInterrupt:
        print("folio: interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    return EXIT_USAGE
