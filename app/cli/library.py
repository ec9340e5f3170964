"""folio sources, search, rename and restore."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from app.cli.output import (
    library_dir,
    print_json,
    printable,
    send,
    unfiltered,
)
from app.cli.parser import EXIT_INPUT_FAILED, EXIT_OK, EXIT_USAGE
from app.cli.trash import find_collection
from app.core.library import HIT_END, HIT_START
from app.services.listing import hits_json, source_json
from app.services.session import open_to_read


def cmd_sources(args: argparse.Namespace) -> int:
    with open_to_read(library_dir(args)) as library:
        collection = find_collection(library, args.collection)
        sources = library.sources(collection_id=collection.id if collection else None)
        states = library.source_states()
        names = library.imported_names(s.id for s in sources)
    if args.json:
        print_json([source_json(s, states.get(s.id), names.get(s.id, [])) for s in sources])
        return EXIT_OK
    if not sources and collection is not None:
        print(f"The collection “{printable(collection.name)}” holds no documents.")
        return EXIT_OK
    if not sources:
        print("The library is empty; add documents with: folio import PATH")
        return EXIT_OK
    print(f"{'ID':>5}  {'PAGES':>5}  {'TEXT':>5}  {'FAILED':>6}  {'ADDED (UTC)':<19}  NAME")
    for s in sources:
        st = states.get(s.id)
        print(
            f"{s.id:>5}  {s.page_count:>5}  {st.completed if st else 0:>5}  "
            f"{st.failed if st else 0:>6}  {s.added_at[:19]:<19}  "
            f"{s.name}{_also(s.name, names.get(s.id, []))}"
        )
    return EXIT_OK


def _also(name: str, names: list[str]) -> str:
    """ " (also imported as: a.pdf, b.pdf)" for the names besides the one shown."""
    others = [n for n in names if n != name]
    return f"  (also imported as: {', '.join(others)})" if others else ""


def cmd_search(args: argparse.Namespace) -> int:
    from app.core.query import parse_query

    text = " ".join(args.query)
    query = parse_query(text)
    if query.problem:
        print(f"folio: {query.problem}", file=sys.stderr)
        return EXIT_USAGE
    if args.limit is not None and args.limit < 1:
        print("folio: --limit takes a number of hits from 1 up.", file=sys.stderr)
        return EXIT_USAGE
    with open_to_read(library_dir(args)) as library:
        collection = find_collection(library, args.collection)
        scope = collection.id if collection else None
        count = library.search_count(query, collection_id=scope)
        hits = library.search(query, -1 if args.limit is None else args.limit, collection_id=scope)
        names = library.imported_names({h.source_id for h in hits}) if args.json else {}
    if args.json:
        print_json(hits_json(hits, names))
    elif not hits:
        where = f" in the collection “{printable(collection.name)}”" if collection else ""
        print(f"No page{where} contains {text!r}.")
    else:
        # The document's own text is made printable; only Folio's marks for the hits are kept.
        start, end = ("\x1b[1m", "\x1b[0m") if sys.stdout.isatty() else ("[", "]")
        marks = {HIT_START: start, HIT_END: end}
        out = unfiltered(sys.stdout)
        for hit in hits:
            parts = re.split(f"([{HIT_START}{HIT_END}])", " ".join(hit.snippet.split()))
            snippet = "".join(marks.get(part) or printable(part) for part in parts)
            out.write(f"{printable(hit.source_name)} · page {hit.page_number}: {snippet}\n")
    if count.pages:
        # Said on stderr, so the hits on stdout stay one per line (or one JSON array).
        shown = "" if len(hits) == count.pages else f"; the best {len(hits):,} shown"
        print(f"{printable(count.summary(text))}{shown}.", file=sys.stderr)
    return EXIT_OK


def cmd_rename(args: argparse.Namespace) -> int:
    """folio rename ID NEW_NAME: the name shown everywhere (imported names stay)."""
    from app.core.names import name_problem
    from app.services.session import open_for_work

    problem = name_problem(args.name)
    if problem:
        print(f"folio: {problem}", file=sys.stderr)
        return EXIT_USAGE
    folder = library_dir(args)
    if not (folder / "library.sqlite3").exists():
        print(f"folio: there is no document {args.id} in {folder}.", file=sys.stderr)
        return EXIT_INPUT_FAILED
    # A window that owns the library renames it there (and shows it at once).
    reply = send(folder, {"op": "rename", "id": args.id, "name": args.name})
    if reply is None:
        with open_for_work(folder) as library:
            if library.source(args.id) is None:
                print(f"folio: there is no document {args.id} in {folder}.", file=sys.stderr)
                return EXIT_INPUT_FAILED
            name = library.rename_source(args.id, args.name)
    else:
        name = str(reply["name"])
    if args.json:
        print_json({"id": args.id, "name": name})
    else:
        print(f"Document {args.id} is now called {printable(name)}.")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from app.core.backup import backups, restore_backup

    folder = library_dir(args)
    found = backups(folder)
    if args.list:
        if args.json:
            print_json([{"path": str(b.path), "madeAt": b.made_at.isoformat()} for b in found])
        elif not found:
            print(f"The library {folder} has no backups yet.")
        for b in found:
            print(f"{b.label}  {b.path}")
        return EXIT_OK
    chosen = args.backup or (found[0].path if found else None)
    if chosen is None:
        print(f"folio: the library {folder} has no backups to restore.", file=sys.stderr)
        return EXIT_INPUT_FAILED
    if send(folder, {"op": "status"}) is not None:
        print(f"folio: a Folio window is using {folder}; quit it, then restore.", file=sys.stderr)
        return EXIT_INPUT_FAILED
    from app.core.errors import LibraryLockedError
    from app.core.library import folder_lock

    try:
        with folder_lock(folder):
            aside = restore_backup(folder / "library.sqlite3", Path(chosen))
    except LibraryLockedError as exc:
        print(f"folio: {exc}", file=sys.stderr)
        return EXIT_INPUT_FAILED
    print(
        f"Restored {chosen}; the previous database is kept as {aside.name}. "
        "Documents added after this backup need importing again."
    )
    return EXIT_OK
