#!/usr/bin/env bash
# Builds packaging/dist/folio_<version>_<arch>.deb: the PyInstaller bundle under /opt/folio,
# `folio` on PATH, desktop file, icons, AppStream metainfo, copyright and changelog.
# Only dpkg-deb (and binutils to read the bundle's libraries) is needed.
#
#   bash packaging/build_deb.sh              build the bundle, then the .deb
#   bash packaging/build_deb.sh --no-bundle  package packaging/dist/folio as it is
#
# Environment: FOLIO_PYTHON (a Python with Folio installed; default .venv/bin/python),
# FOLIO_VERSION (default: pyproject.toml), FOLIO_MAINTAINER.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

die() {
  echo "build_deb.sh: $*" >&2
  exit 1
}

BUILD_BUNDLE=1
for arg in "$@"; do
  case "$arg" in
    --no-bundle) BUILD_BUNDLE=0 ;;
    *) die "unknown option $arg (usage: build_deb.sh [--no-bundle])" ;;
  esac
done

for tool in dpkg-deb dpkg objdump readelf ldd gzip; do
  command -v "$tool" >/dev/null || die "$tool is missing; install dpkg and binutils."
done

PY=${FOLIO_PYTHON:-.venv/bin/python}
[ -x "$PY" ] || die "no Python at $PY; run 'bash dev.sh setup' first or set FOLIO_PYTHON."
VERSION=${FOLIO_VERSION:-$("$PY" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')}
ARCH=$(dpkg --print-architecture)
MAINTAINER=${FOLIO_MAINTAINER:-The Folio authors <folio@users.noreply.github.com>}
DIST=packaging/dist
BUNDLE=$DIST/folio
STAGE=packaging/build/deb/folio_${VERSION}_${ARCH}
DEB=$DIST/folio_${VERSION}_${ARCH}.deb

# 1. The bundle ---------------------------------------------------------------
if [ "$BUILD_BUNDLE" = 1 ]; then
  if ! "$PY" -m PyInstaller --version >/dev/null 2>&1; then
    echo "Installing PyInstaller into $(dirname "$(dirname "$PY")")"
    "$PY" -m pip install -q "pyinstaller>=6.10"
  fi
  echo "Building the bundle with PyInstaller $("$PY" -m PyInstaller --version)"
  "$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DIST" --workpath packaging/build/pyinstaller packaging/folio.spec
fi
[ -x "$BUNDLE/folio" ] || die "no bundle at $BUNDLE; build it without --no-bundle."
INTERNAL=$BUNDLE/_internal

# 2. What the bundle needs from the system ------------------------------------
# Every ELF file's direct needs are resolved as the bundle resolves them; whatever is
# not inside the bundle becomes a dependency on the package that owns it.
elf_files=()
while IFS= read -r -d '' f; do
  if [ "$(head -c 4 "$f" | od -An -tx1 | tr -d ' \n')" = "7f454c46" ]; then
    elf_files+=("$f")
  fi
done < <(find "$BUNDLE" -type f -print0)
echo "Checking the libraries of ${#elf_files[@]} ELF files in the bundle"

declare -A system_libs=() # soname -> path outside the bundle
missing=()
for f in "${elf_files[@]}"; do
  resolved=$(LD_LIBRARY_PATH="$INTERNAL" ldd "$f" 2>/dev/null || true)
  while read -r soname; do
    case "$soname" in ld-linux* | ld64.so*) continue ;; esac # the loader: part of libc6
    line=$(grep -F -m1 "	$soname " <<<"$resolved" || true)
    path=$(awk '{print $3}' <<<"$line")
    if [ -z "$line" ] || [ "$path" = "not" ]; then
      missing+=("$soname (needed by ${f#"$BUNDLE"/})")
    elif [[ "$path" != "$ROOT/$BUNDLE"/* && "$path" != "$BUNDLE"/* ]]; then
      system_libs[$soname]=$path
    fi
  done < <(readelf -d "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
done
if [ ${#missing[@]} -gt 0 ]; then
  printf '  %s\n' "${missing[@]}" >&2
  die "the bundle needs libraries found neither in it nor on this system (above); install them or keep them in the bundle."
fi

# glibc: the newest symbol version any file of the bundle asks for.
GLIBC_FLOOR=$(for f in "${elf_files[@]}"; do objdump -T "$f" 2>/dev/null; done |
  grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)
[ -n "$GLIBC_FLOOR" ] || die "found no glibc symbol versions in the bundle."

owner_of() { # the package that installed a library, trying /usr-merged spellings
  local path=$1 real candidate out
  real=$(readlink -f "$path")
  for candidate in "$path" "$real" "${path#/usr}" "${real#/usr}" "/usr$path" "/usr$real"; do
    out=$(dpkg -S "$candidate" 2>/dev/null | head -1) || continue
    [ -n "$out" ] && { echo "${out%%:*}"; return 0; }
  done
  return 1
}

shlibs_dependency() { # soname package -> "pkg (>= version)" from the package's shlibs file
  local soname=$1 pkg=$2 name version file
  if [[ "$soname" =~ ^(.*)\.so\.(.*)$ ]]; then
    name=${BASH_REMATCH[1]} version=${BASH_REMATCH[2]}
  elif [[ "$soname" =~ ^(.*)-([0-9.]+)\.so$ ]]; then
    name=${BASH_REMATCH[1]} version=${BASH_REMATCH[2]}
  else
    echo "$pkg"
    return
  fi
  for file in "/var/lib/dpkg/info/$pkg:$ARCH.shlibs" "/var/lib/dpkg/info/$pkg.shlibs"; do
    if [ -f "$file" ]; then
      awk -v n="$name" -v v="$version" '$1 == n && $2 == v { $1 = ""; $2 = ""; sub(/^ +/, ""); print; exit }' "$file"
      return
    fi
  done
  echo "$pkg"
}

declare -A depends=()
for soname in "${!system_libs[@]}"; do
  pkg=$(owner_of "${system_libs[$soname]}") ||
    die "no installed package owns ${system_libs[$soname]} ($soname); the .deb could not depend on it."
  [ "$pkg" = libc6 ] && continue
  dep=$(shlibs_dependency "$soname" "$pkg")
  [ -n "$dep" ] || dep=$pkg
  # Keep the versioned form when two libraries of one package disagree.
  if [ -z "${depends[$pkg]:-}" ] || [[ "$dep" == *"("* ]]; then
    depends[$pkg]=$dep
  fi
done
DEPENDS="libc6 (>= $GLIBC_FLOOR)"
while read -r pkg; do
  [ -n "$pkg" ] && DEPENDS+=", ${depends[$pkg]}"
done < <(printf '%s\n' "${!depends[@]}" | sort)
# Tesseract reads pages without a text layer; English is the default language.
DEPENDS+=", tesseract-ocr, tesseract-ocr-eng"
echo "Depends: $DEPENDS"

# 3. The package tree ---------------------------------------------------------
rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
  "$STAGE/usr/share/metainfo" "$STAGE/usr/share/doc/folio" "$STAGE/usr/share/icons/hicolor/scalable/apps"
cp -a "$BUNDLE" "$STAGE/opt/folio"
ln -s /opt/folio/folio "$STAGE/usr/bin/folio"
install -m 644 resources/folio.desktop "$STAGE/usr/share/applications/folio.desktop"
install -m 644 resources/io.github.folio.Folio.metainfo.xml "$STAGE/usr/share/metainfo/"
install -m 644 resources/icons/folio.svg "$STAGE/usr/share/icons/hicolor/scalable/apps/folio.svg"
for dir in resources/icons/hicolor/*x*; do
  size=$(basename "$dir")
  install -D -m 644 "$dir/apps/folio.png" "$STAGE/usr/share/icons/hicolor/$size/apps/folio.png"
done

# Validate what desktops will read, where the validators are installed.
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate "$STAGE/usr/share/applications/folio.desktop"
fi
if command -v appstreamcli >/dev/null; then
  appstreamcli validate --no-net --explain "$STAGE/usr/share/metainfo/io.github.folio.Folio.metainfo.xml" >/dev/null ||
    die "appstreamcli rejects the metainfo; run: appstreamcli validate --no-net resources/io.github.folio.Folio.metainfo.xml"
fi

DOC=$STAGE/usr/share/doc/folio
"$PY" packaging/deb_copyright.py "$INTERNAL" "$DOC"
{
  echo "folio ($VERSION) stable; urgency=medium"
  echo
  echo "  * Release $VERSION. Changes are listed in CHANGELOG.md of the source."
  echo
  echo " -- $MAINTAINER  $(date -R -d "@${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}")"
} | gzip -9n >"$DOC/changelog.gz"

# Desktop and MIME caches. dpkg triggers of desktop-file-utils, shared-mime-info and the
# icon theme do the same where those packages are installed; this also covers the rest.
cat >"$STAGE/DEBIAN/postinst" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
  if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q /usr/share/applications || true
  fi
  if command -v update-mime-database >/dev/null 2>&1; then
    update-mime-database /usr/share/mime || true
  fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f /usr/share/icons/hicolor/index.theme ]; then
    gtk-update-icon-cache -q -t -f /usr/share/icons/hicolor || true
  fi
fi
EOF
cat >"$STAGE/DEBIAN/postrm" <<'EOF'
#!/bin/sh
set -e
case "$1" in
  remove | purge | abort-install)
    if command -v update-desktop-database >/dev/null 2>&1; then
      update-desktop-database -q /usr/share/applications || true
    fi
    if command -v update-mime-database >/dev/null 2>&1 && [ -d /usr/share/mime/packages ]; then
      update-mime-database /usr/share/mime || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f /usr/share/icons/hicolor/index.theme ]; then
      gtk-update-icon-cache -q -t -f /usr/share/icons/hicolor || true
    fi
    # Python never writes bytecode inside the bundle, but remove the folder if anything did.
    rm -rf /opt/folio
    ;;
esac
EOF
chmod 755 "$STAGE/DEBIAN/postinst" "$STAGE/DEBIAN/postrm"

INSTALLED_KB=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
cat >"$STAGE/DEBIAN/control" <<EOF
Package: folio
Version: $VERSION
Architecture: $ARCH
Maintainer: $MAINTAINER
Installed-Size: $INSTALLED_KB
Depends: $DEPENDS
Section: text
Priority: optional
Homepage: https://github.com/folio/folio
Description: document library that makes PDFs and scans searchable
 Folio keeps a copy of each PDF or image dropped on its window, splits it into
 pages and extracts each page's text in the background: from the PDF's own
 text layer, or with Tesseract OCR where a page has none. Every piece of
 background work is a task that can be seen, prioritised and cancelled, and
 the whole library is searchable. Headless commands (folio extract, import,
 tasks, search) share the same engine.
EOF

(cd "$STAGE" && find . -path ./DEBIAN -prune -o -type f -print0 | sort -z |
  xargs -0 md5sum | sed 's| \./| |') >"$STAGE/DEBIAN/md5sums"

# Directories 755, the program 755, everything else (shared libraries too) 644; dpkg-deb
# records root as owner.
find "$STAGE" -type d -exec chmod 755 {} +
find "$STAGE" -type f -exec chmod 644 {} +
chmod 755 "$STAGE/opt/folio/folio" "$STAGE/DEBIAN/postinst" "$STAGE/DEBIAN/postrm"

mkdir -p "$DIST"
dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$DEB" >/dev/null
echo "Built $DEB ($(du -h "$DEB" | cut -f1); installed $((INSTALLED_KB / 1024)) MB)"
