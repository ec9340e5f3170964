#!/usr/bin/env bash
# Renders resources/icons/folio.svg to PNGs at the hicolor sizes (and a Windows .ico).
# Needs rsvg-convert (Debian: librsvg2-bin) and, for the .ico, icotool (icoutils).
#   bash packaging/render_icons.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SVG=resources/icons/folio.svg
OUT=resources/icons/hicolor
SIZES=(16 24 32 48 64 128 256 512)

command -v rsvg-convert >/dev/null || {
  echo "render_icons.sh: rsvg-convert is missing; install librsvg2-bin." >&2
  exit 1
}
for size in "${SIZES[@]}"; do
  dir="$OUT/${size}x${size}/apps"
  mkdir -p "$dir"
  rsvg-convert --width "$size" --height "$size" --output "$dir/folio.png" "$SVG"
done
# Windows: one .ico with the small sizes as bitmaps and 256 px stored as PNG.
command -v icotool >/dev/null || {
  echo "render_icons.sh: icotool is missing; install icoutils." >&2
  exit 1
}
icotool --create --output resources/icons/folio.ico \
  "$OUT"/{16x16,24x24,32x32,48x48,64x64,128x128}/apps/folio.png \
  --raw="$OUT/256x256/apps/folio.png"
echo "Rendered $SVG at ${SIZES[*]} px into $OUT/ and resources/icons/folio.ico"
