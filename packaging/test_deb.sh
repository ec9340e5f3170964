#!/usr/bin/env bash
# End-to-end test of the Linux package: builds the bundle and the .deb, installs it with
# apt, checks the desktop registration, starts the installed Folio under Xvfb with a
# corpus PDF, waits until the document is imported and its pages extracted, takes a
# screenshot, then purges the package and checks nothing is left behind.
#
#   bash packaging/test_deb.sh              build, install, test, remove
#   bash packaging/test_deb.sh --no-build   test packaging/dist/folio_*.deb as it is
#
# Needs root or sudo, Xvfb, xdotool, ImageMagick (import) and the corpus
# (FOLIO_CORPUS, default tests/data). Writes packaging/dist/test-deb/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

say() { printf '== %s\n' "$*"; }
die() {
  echo "test_deb.sh: FAILED: $*" >&2
  exit 1
}

BUILD=1
for arg in "$@"; do
  case "$arg" in
    --no-build) BUILD=0 ;;
    *) die "unknown option $arg (usage: test_deb.sh [--no-build])" ;;
  esac
done

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
for tool in Xvfb xdotool import dpkg-deb apt-get; do
  command -v "$tool" >/dev/null ||
    die "$tool is missing; install xvfb, xdotool and imagemagick (bash dev.sh setup does)."
done

CORPUS=${FOLIO_CORPUS:-$ROOT/tests/data}
PDF=${FOLIO_TEST_PDF:-$CORPUS/sample-files/001-trivial/minimal-document.pdf}
[ -f "$PDF" ] || die "no test document at $PDF; set FOLIO_CORPUS or FOLIO_TEST_PDF."
PDF=$(readlink -f "$PDF")
OUT=$ROOT/packaging/dist/test-deb
rm -rf "$OUT"
mkdir -p "$OUT"
WORK=$(mktemp -d)
LIB=$WORK/library
XVFB_PID=""
APP_PID=""

INSTALLED=0

cleanup() {
  if [ -n "$APP_PID" ]; then kill "$APP_PID" 2>/dev/null || true; fi
  if [ -n "$XVFB_PID" ]; then kill "$XVFB_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
  if [ "$INSTALLED" = 1 ]; then
    echo "Purging the package the failed test installed" >&2
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq folio >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

# 1. Build -----------------------------------------------------------------------
if [ "$BUILD" = 1 ]; then
  say "Building the bundle and the .deb"
  bash packaging/build_deb.sh
fi
shopt -s nullglob
debs=(packaging/dist/folio_*.deb)
shopt -u nullglob
[ ${#debs[@]} -eq 1 ] || die "expected one packaging/dist/folio_*.deb, found ${#debs[@]}."
DEB=$ROOT/${debs[0]}
BUNDLE_SIZE=$(du -sh packaging/dist/folio 2>/dev/null | cut -f1 || echo "?")
DEB_SIZE=$(du -h "$DEB" | cut -f1)

# 2. Install ---------------------------------------------------------------------
if dpkg-query -W -f='${Status}' folio 2>/dev/null | grep -q "install ok installed"; then
  say "Removing a folio package installed before the test"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq folio >/dev/null
fi
# Every path the package holds, and which of them existed before (shared folders such as
# /opt or /usr/share/icons/hicolor/48x48/apps): after purging, only those may remain.
dpkg-deb --fsys-tarfile "$DEB" | tar -t | sed -e 's|^\./|/|' -e 's|/$||' | grep -v '^\.\?$' |
  sort >"$OUT/package-paths.txt"
while read -r path; do
  if [ -e "$path" ] || [ -L "$path" ]; then echo "$path"; fi
done <"$OUT/package-paths.txt" >"$OUT/existed-before.txt"
say "Installing $(basename "$DEB")"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$DEB" >"$OUT/apt-install.log" 2>&1 ||
  { cat "$OUT/apt-install.log" >&2; die "apt-get install failed (log above)."; }
INSTALLED=1
[ "$(command -v folio)" = /usr/bin/folio ] || die "folio is not on PATH at /usr/bin/folio."

say "Desktop registration"
if command -v gio >/dev/null; then
  gio mime application/pdf | tee "$OUT/gio-mime-pdf.txt"
  grep -q "folio.desktop" "$OUT/gio-mime-pdf.txt" || die "gio mime application/pdf does not name folio.desktop."
else
  grep -q "^application/pdf=.*folio.desktop" /usr/share/applications/mimeinfo.cache ||
    die "mimeinfo.cache does not list folio.desktop for application/pdf."
  echo "application/pdf handled by folio.desktop (mimeinfo.cache; gio is not installed)"
fi

say "Headless extraction with the installed bundle (worker processes, QtPdf, Tesseract)"
folio extract "$PDF" --json >"$OUT/extract.json" || die "folio extract failed."
folio extract "$PDF" --ocr always --pages 1 --json >"$OUT/extract-ocr.json" ||
  die "folio extract --ocr always failed."
grep -q '"method": "ocr"' "$OUT/extract-ocr.json" || die "OCR through the installed bundle gave no OCR page."
echo "text layer and OCR read page 1 of $(basename "$PDF")"

# 3. The window under Xvfb ---------------------------------------------------------
display=99
while [ -e "/tmp/.X11-unix/X$display" ] || [ -e "/tmp/.X$display-lock" ]; do
  display=$((display + 1))
done
export DISPLAY=:$display
Xvfb "$DISPLAY" -screen 0 1280x800x24 -nolisten tcp >"$OUT/xvfb.log" 2>&1 &
XVFB_PID=$!
for _ in $(seq 50); do
  xdotool getdisplaygeometry >/dev/null 2>&1 && break
  sleep 0.1
done
xdotool getdisplaygeometry >/dev/null 2>&1 || die "Xvfb did not start on $DISPLAY (see $OUT/xvfb.log)."

# Cold start: empty the page cache first where allowed (root on a real kernel).
start_kind="warm"
if sync && echo 3 | $SUDO tee /proc/sys/vm/drop_caches >/dev/null 2>&1; then
  start_kind="cold: page cache dropped"
fi
say "Starting the installed Folio with $(basename "$PDF")"
t0=$(date +%s.%N)
QT_QPA_PLATFORM=xcb folio --library "$LIB" "$PDF" >"$OUT/folio.log" 2>&1 &
APP_PID=$!
window=""
for _ in $(seq 600); do
  window=$(xdotool search --onlyvisible --name '^Folio' 2>/dev/null | head -1 || true)
  [ -n "$window" ] && break
  kill -0 "$APP_PID" 2>/dev/null || { cat "$OUT/folio.log" >&2; die "Folio exited before showing its window (log above)."; }
  sleep 0.05
done
[ -n "$window" ] || die "no window titled Folio within 30 s (log: $OUT/folio.log)."
t1=$(date +%s.%N)
START_SECONDS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
echo "window \"$(xdotool getwindowname "$window")\" shown after ${START_SECONDS} s, $start_kind"

say "Waiting for the import and page tasks"
done_ok=""
for _ in $(seq 240); do
  if folio --library "$LIB" tasks --all --json >"$OUT/tasks.json" 2>>"$OUT/tasks.err"; then
    verdict=$(python3 - "$OUT/tasks.json" <<'EOF'
import json, sys
tasks = json.load(open(sys.argv[1]))
imports = [t for t in tasks if t["taskType"] == "import"]
pages = [t for t in tasks if t["taskType"] == "text_extraction"]
bad = [t for t in tasks if t["status"] in ("failed", "cancelled")]
if bad:
    print("failed:" + "; ".join(f"{t['taskType']} {t['id']}: {t['status']} {t.get('error')}" for t in bad))
elif imports and pages and all(t["status"] == "completed" for t in tasks):
    print(f"ok:{len(imports)} import, {len(pages)} page tasks completed")
else:
    print("wait")
EOF
    )
    case "$verdict" in
      ok:*) done_ok=${verdict#ok:} && break ;;
      failed:*) die "a task did not complete: ${verdict#failed:}" ;;
    esac
  fi
  kill -0 "$APP_PID" 2>/dev/null || { cat "$OUT/folio.log" >&2; die "Folio exited while importing (log above)."; }
  sleep 0.5
done
[ -n "$done_ok" ] || die "tasks not completed within 120 s (last list: $OUT/tasks.json)."
t2=$(date +%s.%N)
echo "$done_ok, $(awk -v a="$t0" -v b="$t2" 'BEGIN { printf "%.2f", b - a }') s after start"

sleep 1 # let the chips repaint
import -window root "$OUT/screenshot.png"
echo "screenshot: $OUT/screenshot.png"

# Quit as a person would (Ctrl+Q; there is no window manager to send a close request).
xdotool windowfocus --sync "$window" key ctrl+q 2>/dev/null || true
for _ in $(seq 100); do
  kill -0 "$APP_PID" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$APP_PID" 2>/dev/null; then
  kill "$APP_PID" 2>/dev/null || true
  die "Folio did not quit on Ctrl+Q within 10 s (log: $OUT/folio.log)."
fi
quit_status=0
wait "$APP_PID" 2>/dev/null || quit_status=$?
APP_PID=""
[ "$quit_status" -eq 0 ] || { cat "$OUT/folio.log" >&2; die "Folio exited with status $quit_status on Ctrl+Q (log above)."; }
echo "quit on Ctrl+Q"
kill "$XVFB_PID" 2>/dev/null || true
XVFB_PID=""

# 4. Remove ----------------------------------------------------------------------
say "Purging the package"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq folio >"$OUT/apt-purge.log" 2>&1 ||
  { cat "$OUT/apt-purge.log" >&2; die "apt-get purge failed (log above)."; }
INSTALLED=0
left=()
while read -r path; do
  if { [ -e "$path" ] || [ -L "$path" ]; } && ! grep -qxF "$path" "$OUT/existed-before.txt"; then
    left+=("$path")
  fi
done <"$OUT/package-paths.txt"
[ -e /opt/folio ] && left+=(/opt/folio)
if grep -qs "folio.desktop" /usr/share/applications/mimeinfo.cache; then
  left+=("folio.desktop in /usr/share/applications/mimeinfo.cache")
fi
dpkg-query -W folio >/dev/null 2>&1 && left+=("dpkg still knows the folio package")
if [ ${#left[@]} -gt 0 ]; then
  printf '  %s\n' "${left[@]}" >&2
  die "removing the package left the above behind."
fi
echo "nothing left: $(($(wc -l <"$OUT/package-paths.txt") - $(wc -l <"$OUT/existed-before.txt"))) installed paths gone, MIME cache clean"

say "Passed"
echo "bundle $BUNDLE_SIZE, package $DEB_SIZE, window after ${START_SECONDS} s ($start_kind), $done_ok"
