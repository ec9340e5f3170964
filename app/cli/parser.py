"""The command line's grammar: commands, options and exit codes."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from app import __version__
from app.cli.passwords import add_password_option
from app.core.models import OcrMode

EXIT_OK = 0
EXIT_INPUT_FAILED = 1
EXIT_USAGE = 2

CLUSTER_HELP = (
    "read the pages on the Dask cluster whose scheduler is at ADDRESS, e.g. "
    "tcp://10.0.0.5:8786 (needs folio[cluster]; the library stays here)"
)


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"folio: {message}", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    common = Parser(add_help=False)
    # SUPPRESS: an option given before the command is not reset by the command's parser.
    common.add_argument(
        "--library",
        metavar="DIR",
        type=Path,
        default=argparse.SUPPRESS,
        help="the library folder (default: $FOLIO_LIBRARY or the user data folder)",
    )
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON")

    parser = Parser(
        prog="folio",
        description="Folio turns PDFs and scans into searchable text.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"Folio {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    ocr_help = "when to OCR: auto (pages without a text layer), always, never"
    ex = sub.add_parser("extract", parents=[common], help="print the text of each page")
    ex.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    ex.add_argument("--cluster", metavar="ADDRESS", help=CLUSTER_HELP)
    ex.add_argument("--ocr", choices=[m.value for m in OcrMode], default="auto", help=ocr_help)
    ex.add_argument(
        "--lang",
        default=None,
        help="OCR languages, e.g. eng+deu (default: the system's language and English)",
    )
    ex.add_argument("--pages", help="pages to read, e.g. 1-3,7")
    ex.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="pages read at once")
    add_password_option(ex)

    sp = sub.add_parser(
        "searchable-pdf",
        parents=[common],
        help="save a scan as a searchable PDF (its images kept as they are)",
        description="Add an invisible text layer to each page of a scanned PDF or an image "
        "(PNG, JPEG, TIFF), keeping every page image byte for byte; pages that already have "
        "text are left as they are. The input is never changed.",
    )
    sp.add_argument("input", type=Path, metavar="INPUT", help="a PDF or an image")
    sp.add_argument("output", type=Path, metavar="OUTPUT", help="the PDF to write")
    sp.add_argument(
        "--lang",
        default=None,
        help="OCR languages, e.g. eng+deu (default: the system's language and English)",
    )
    sp.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="pages read at once")
    sp.add_argument("-q", "--quiet", action="store_true", help="print no progress")
    add_password_option(sp)

    im = sub.add_parser("import", parents=[common], help="import files and folders")
    im.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    im.add_argument("--wait", action="store_true", help="wait until every task has finished")
    im.add_argument(
        "--lang",
        default=None,
        help="OCR languages for these documents, e.g. deu+eng (default: as in Settings)",
    )
    im.add_argument("--cluster", metavar="ADDRESS", help=CLUSTER_HELP)
    add_password_option(im)

    ta = sub.add_parser("tasks", parents=[common], help="list, cancel or retry tasks")
    ta.add_argument("--all", action="store_true", help="include finished tasks")
    ta_sub = ta.add_subparsers(dest="action", parser_class=Parser)
    ca = ta_sub.add_parser("cancel", parents=[common], help="cancel tasks")
    ca.add_argument("ids", nargs="*", type=int, metavar="ID")
    ca.add_argument("--all", action="store_true", dest="every", help="cancel every active task")
    re_ = ta_sub.add_parser("retry", parents=[common], help="retry failed or cancelled tasks")
    re_.add_argument("ids", nargs="*", type=int, metavar="ID")
    re_.add_argument("--failed", action="store_true", help="retry every failed task")

    wa = sub.add_parser(
        "watch",
        parents=[common],
        help="import the PDFs and images that appear in folders, until Ctrl+C",
        description="Watch folders (and their subfolders) and import each new or changed PDF "
        "or image once it has stopped changing; partial downloads and hidden files are left "
        "alone. What was seen is kept in the library, so files added while this was not "
        "running are imported at the next start and nothing is imported twice. Prints a line "
        "per import; Ctrl+C or SIGTERM stops it.",
    )
    wa.add_argument("dirs", nargs="+", type=Path, metavar="DIR")
    wa.add_argument(
        "--lang",
        default=None,
        help="OCR languages for these documents, e.g. deu+eng (default: as in Settings)",
    )

    so = sub.add_parser("sources", parents=[common], help="list the documents in the library")
    so.add_argument("--collection", metavar="NAME", help="only the documents in this collection")
    de = sub.add_parser(
        "delete",
        parents=[common],
        help="move documents to the trash",
        description="Move documents to the trash: they leave the list and the search, and "
        "their waiting pages are not read. folio trash restore ID brings them back; folio "
        "trash empty deletes them for good.",
    )
    de.add_argument("ids", nargs="+", type=int, metavar="ID", help="document ids (folio sources)")
    tr = sub.add_parser("trash", parents=[common], help="list, restore or empty the trash")
    tr_sub = tr.add_subparsers(dest="action", parser_class=Parser)
    tre = tr_sub.add_parser("restore", parents=[common], help="take documents out of the trash")
    tre.add_argument("ids", nargs="*", type=int, metavar="ID")
    tre.add_argument("--all", action="store_true", dest="every", help="restore every document")
    tem = tr_sub.add_parser(
        "empty",
        parents=[common],
        help="delete every document in the trash for good",
        description="Delete the documents in the trash with their text; Folio's copy of a "
        "file goes when no other document uses it. The original files are never touched.",
    )
    tem.add_argument("--yes", action="store_true", help="do not ask first")
    sub.add_parser("collections", parents=[common], help="list the collections")
    se = sub.add_parser(
        "search",
        parents=[common],
        help="full-text search",
        description='Words must all occur; "exact phrase", OR, -word (or NOT word) and '
        "prefix* work as in web search; case and accents never matter.",
    )
    se.add_argument("query", nargs="+")
    se.add_argument(
        "--limit", type=int, metavar="N", help="print only the best N hits (default: every hit)"
    )
    se.add_argument(
        "--collection", metavar="NAME", help="search only the documents in this collection"
    )
    rn = sub.add_parser(
        "rename",
        parents=[common],
        help="give a document another name",
        description="Change the name a document is shown by; the names it was imported "
        "under are kept and still find it.",
    )
    rn.add_argument("id", type=int, metavar="ID", help="the document's id (see folio sources)")
    rn.add_argument("name", metavar="NEW_NAME", help="its new name (one line)")
    rs = sub.add_parser("restore", parents=[common], help="restore the library from a backup")
    rs.add_argument("backup", nargs="?", type=Path, help="a backup file (default: the newest)")
    rs.add_argument("--list", action="store_true", help="list the backups")
    return parser
