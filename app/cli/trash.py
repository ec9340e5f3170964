"""folio delete, folio trash (list, restore, empty) and folio collections."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.cli.output import library_dir, print_json, printable, send
from app.cli.parser import EXIT_INPUT_FAILED, EXIT_OK, EXIT_USAGE
from app.core.library import Collection, Library
from app.services.listing import source_json
from app.services.session import open_for_work, open_to_read


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def find_collection(library: Library, name: str | None) -> Collection | None:
    """The collection named by --collection (None when not asked for); FolioError if none."""
    if name is None:
        return None
    found = library.collection_named(name)
    if found is None:
        from app.core.errors import FolioError

        known = ", ".join(f"“{c.name}”" for c in library.collections())
        raise FolioError(
            f"There is no collection named “{name}” in {library.folder}"
            + (f"; the collections are {known}." if known else "; it has no collections yet.")
        )
    return found


def _with_manager(library: Library, action: Callable[[Any], Any]) -> Any:
    """Run `action(manager)` on a headless manager that starts no task (it only edits)."""
    from PySide6.QtCore import QCoreApplication

    from app.tasks.manager import ExtractionManager

    _app = QCoreApplication.instance() or QCoreApplication([])
    manager = ExtractionManager(library)
    manager.pause_in_memory()
    manager.start()
    try:
        return action(manager)
    finally:
        manager.shutdown()


def _unknown(library: Library, ids: list[int], wanted_in_trash: bool) -> int:
    """One line per id that names no document (or one not where it is wanted); exit 1 if any."""
    status = EXIT_OK
    for source_id in ids:
        if library.source(source_id) is None:
            print(f"folio: there is no document {source_id} in {library.folder}.", file=sys.stderr)
            status = EXIT_INPUT_FAILED
        elif library.is_trashed(source_id) != wanted_in_trash:
            where = "not in the trash" if wanted_in_trash else "already in the trash"
            print(f"folio: document {source_id} is {where}.", file=sys.stderr)
            status = EXIT_INPUT_FAILED
    return status


def cmd_delete(args: argparse.Namespace) -> int:
    """Move documents to the trash (the window's Delete); `folio trash restore` undoes it."""
    folder = library_dir(args)
    with open_to_read(folder) as library:
        status = _unknown(library, args.ids, wanted_in_trash=False)
        wanted = [i for i in args.ids if library.in_library(i)]
    moved: list[int] = []
    if wanted:
        remote = send(folder, {"op": "trash", "ids": wanted})
        if remote is not None:
            moved = [int(i) for i in remote["ids"]]
        else:
            with open_for_work(folder) as library:
                moved = _with_manager(library, lambda m: m.trash_sources(wanted))
    with open_to_read(folder) as library:
        sources = [s for i in moved if (s := library.source(i)) is not None]
    if args.json:
        print_json([source_json(s, None) for s in sources])
    elif sources:
        names = ", ".join(printable(s.name) for s in sources)
        print(
            f"Moved {plural(len(sources), 'document')} to the trash: {names}. "
            f"Bring {'it' if len(sources) == 1 else 'them'} back with: folio trash restore "
            + " ".join(str(s.id) for s in sources)
        )
    return status


def cmd_trash(args: argparse.Namespace) -> int:
    folder = library_dir(args)
    if args.action is None:
        with open_to_read(folder) as library:
            trashed = library.trashed_sources()
        if args.json:
            print_json([t.to_json() for t in trashed])
        elif not trashed:
            print("The trash is empty.")
        else:
            print(f"{'ID':>5}  {'PAGES':>5}  {'TRASHED (UTC)':<19}  NAME")
            for t in trashed:
                s = t.source
                print(f"{s.id:>5}  {s.page_count:>5}  {t.trashed_at[:19]:<19}  {printable(s.name)}")
        return EXIT_OK
    if args.action == "restore":
        return _restore(folder, args)
    return _empty(folder, args)


def _restore(folder: Path, args: argparse.Namespace) -> int:
    if not args.ids and not args.every:
        print("folio: trash restore: give document ids or --all.", file=sys.stderr)
        return EXIT_USAGE
    with open_to_read(folder) as library:
        status = EXIT_OK if args.every else _unknown(library, args.ids, wanted_in_trash=True)
        wanted = (
            [t.source.id for t in library.trashed_sources()]
            if args.every
            else [i for i in args.ids if library.is_trashed(i)]
        )
    restored: list[int] = []
    if wanted:
        remote = send(folder, {"op": "restore", "ids": wanted})
        if remote is not None:
            restored = [int(i) for i in remote["ids"]]
        else:
            with open_for_work(folder) as library:
                restored = [
                    s.id for s in _with_manager(library, lambda m: m.restore_sources(wanted))
                ]
    with open_to_read(folder) as library:
        sources = [s for i in restored if (s := library.source(i)) is not None]
    if args.json:
        print_json([source_json(s, None) for s in sources])
    elif sources:
        names = ", ".join(printable(s.name) for s in sources)
        print(f"Restored {plural(len(sources), 'document')} from the trash: {names}.")
    elif args.every:
        print("The trash is empty.")
    return status


def _empty(folder: Path, args: argparse.Namespace) -> int:
    with open_to_read(folder) as library:
        count = library.trash_count()
    if not count:
        print("[]" if args.json else "The trash is empty.")
        return EXIT_OK
    if not args.yes:
        if not sys.stdin.isatty():
            print(
                f"folio: emptying the trash deletes {plural(count, 'document')} for good; "
                "add --yes to do it.",
                file=sys.stderr,
            )
            return EXIT_USAGE
        answer = input(f"Delete {plural(count, 'document')} in the trash for good? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing was deleted.")
            return EXIT_OK
    remote = send(folder, {"op": "empty_trash"})
    if remote is not None:
        deleted = [int(i) for i in remote["ids"]]
    else:
        with open_for_work(folder) as library:
            deleted = _with_manager(library, lambda m: m.empty_trash())
    if args.json:
        print_json(deleted)
    else:
        print(
            f"Deleted {plural(len(deleted), 'document')} for good (Folio's copies and their "
            "text; the original files are not touched)."
        )
    return EXIT_OK


def cmd_collections(args: argparse.Namespace) -> int:
    with open_to_read(library_dir(args)) as library:
        found = library.collections()
    if args.json:
        print_json([c.to_json() for c in found])
    elif not found:
        print("The library has no collections yet; make them in the window's sidebar.")
    else:
        print(f"{'DOCUMENTS':>9}  NAME")
        for c in found:
            print(f"{c.count:>9}  {printable(c.name)}")
    return EXIT_OK
