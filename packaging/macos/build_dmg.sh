#!/usr/bin/env bash
# Builds packaging/dist/Folio.app and packaging/dist/folio-<version>.dmg on macOS, with
# Homebrew's Tesseract (and English) copied into the app, then checks the app reads a PDF.
#
#   bash packaging/macos/build_dmg.sh [PDF]
#
# Needs Python with Folio and PyInstaller (FOLIO_PYTHON, default python3) and Homebrew's
# tesseract and dylibbundler (brew install tesseract dylibbundler). The app is signed
# ad hoc only (Apple silicon runs no unsigned code); a notarised release needs a
# Developer ID: set FOLIO_CODESIGN_IDENTITY to sign with it instead.
set -euo pipefail
cd "$(dirname "$0")/../.."

die() {
  echo "build_dmg.sh: $*" >&2
  exit 1
}
[ "$(uname -s)" = Darwin ] || die "this builds a macOS app; run it on macOS (CI does)."
for tool in hdiutil codesign dylibbundler; do
  command -v "$tool" >/dev/null || die "$tool is missing (brew install dylibbundler; hdiutil and codesign come with macOS)."
done

PY=${FOLIO_PYTHON:-python3}
VERSION=${FOLIO_VERSION:-$("$PY" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')}
DIST=packaging/dist
APP=$DIST/Folio.app
DMG=$DIST/folio-$VERSION.dmg
IDENTITY=${FOLIO_CODESIGN_IDENTITY:--}

echo "== Building Folio.app with PyInstaller"
FOLIO_VERSION=$VERSION "$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$DIST" --workpath packaging/build/pyinstaller packaging/folio.spec
[ -d "$APP" ] || die "PyInstaller made no $APP."

echo "== Copying Tesseract into the app"
TESSERACT=$(command -v tesseract) || die "tesseract is missing; brew install tesseract."
TESSDATA=$(brew --prefix)/share/tessdata
# find_tesseract() looks in tesseract/ beside the bundle's Python (Contents/Frameworks).
# Code goes in Contents/Frameworks, data in Contents/Resources (linked back), as PyInstaller
# lays out the rest of the app, so the code signature covers both.
dest=$APP/Contents/Frameworks/tesseract
data=$APP/Contents/Resources/tesseract/tessdata
rm -rf "$dest" "$APP/Contents/Resources/tesseract"
mkdir -p "$dest" "$data"
ln -s ../../Resources/tesseract/tessdata "$dest/tessdata"
cp "$(realpath "$TESSERACT")" "$dest/tesseract"
chmod u+w "$dest/tesseract"
# Its Homebrew libraries (leptonica, libpng, libtiff...) go beside it, relinked.
dylibbundler -of -cd -b -x "$dest/tesseract" -d "$dest/libs" -p @executable_path/libs/ >/dev/null
for lang in eng osd; do
  [ -f "$TESSDATA/$lang.traineddata" ] || die "$TESSDATA/$lang.traineddata is missing."
  cp "$TESSDATA/$lang.traineddata" "$data/"
done

echo "== Signing ($([ "$IDENTITY" = - ] && echo "ad hoc" || echo "$IDENTITY"))"
find "$dest" -type f \( -name '*.dylib' -o -name tesseract \) -exec codesign --force --sign "$IDENTITY" {} \;
codesign --force --deep --sign "$IDENTITY" "$APP"
codesign --verify --deep --strict "$APP"

echo "== Checking the app reads a PDF (worker processes, QtPdf, bundled Tesseract)"
PDF=${1:-${FOLIO_TEST_PDF:-tests/data/sample-files/001-trivial/minimal-document.pdf}}
if [ -f "$PDF" ]; then
  library=$(mktemp -d)
  "$APP/Contents/MacOS/folio" --library "$library" extract "$PDF" --ocr always --pages 1 --json |
    grep -q '"method": "ocr"' || die "Folio.app could not OCR $PDF."
  rm -rf "$library"
  echo "page 1 of $(basename "$PDF") read by OCR"
else
  echo "no test PDF at $PDF; skipped the check"
fi

echo "== Building $DMG"
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
cp -R "$APP" "$staging/"
ln -s /Applications "$staging/Applications"
rm -f "$DMG"
hdiutil create -volname "Folio $VERSION" -srcfolder "$staging" -fs HFS+ -format UDZO -ov "$DMG" >/dev/null
hdiutil verify "$DMG" >/dev/null
echo "Built $DMG ($(du -h "$DMG" | cut -f1); Folio.app $(du -sh "$APP" | cut -f1))"
