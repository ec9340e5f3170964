#!/usr/bin/env bash
# Compiles folio.nsi with Debian's makensis (package nsis) against a placeholder bundle
# and a placeholder Tesseract, so the installer script is checked where Windows is not at
# hand. The result is not a working installer; CI builds the real one on Windows.
#   bash packaging/windows/test_nsis.sh
set -euo pipefail
cd "$(dirname "$0")"

command -v makensis >/dev/null || {
  echo "test_nsis.sh: makensis is missing; install the nsis package." >&2
  exit 1
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The layout PyInstaller and build_installer.ps1 produce.
mkdir -p "$work/folio/_internal/PySide6" "$work/folio/_internal/resources" \
  "$work/tesseract/tessdata"
printf 'MZ placeholder\n' >"$work/folio/folio.exe"
printf 'MZ placeholder\n' >"$work/folio/folio-cli.exe"
printf 'placeholder\n' >"$work/folio/_internal/python311.dll"
printf 'placeholder\n' >"$work/folio/_internal/PySide6/Qt6Core.dll"
cp ../../resources/folio.desktop "$work/folio/_internal/resources/"
printf 'MZ placeholder\n' >"$work/tesseract/tesseract.exe"
printf 'placeholder\n' >"$work/tesseract/libtesseract-5.dll"
printf 'placeholder\n' >"$work/tesseract/tessdata/eng.traineddata"

makensis -V2 -WX -DVERSION=0.0.0 -DBUNDLE_DIR="$work/folio" -DTESSERACT_DIR="$work/tesseract" \
  -DOUTFILE="$work/folio-setup.exe" folio.nsi
[ -s "$work/folio-setup.exe" ] || {
  echo "test_nsis.sh: makensis wrote no installer." >&2
  exit 1
}
echo "folio.nsi compiles: $(du -h "$work/folio-setup.exe" | cut -f1) installer from the placeholder bundle"
