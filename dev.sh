#!/usr/bin/env bash
# Folio's one entry point for developers and CI: sets up everything, then runs.
#   bash dev.sh setup           install what is missing (system packages, .venv) and stop
#   bash dev.sh run [ARGS...]   start Folio (ARGS are passed on, e.g. files to import)
#   bash dev.sh test            lint, type-check, layer contracts and the whole test suite
#   bash dev.sh quick           the tests not marked slow, no lint (a fast loop while working)
#   bash dev.sh lint | bench | stress | shots | package
set -euo pipefail
cd "$(dirname "$0")"

APT_PACKAGES=(
  python3 python3-venv python3-pip
  tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu
  poppler-utils xvfb xdotool x11-utils imagemagick
  # packaging/build_deb.sh and test_deb.sh: ELF tools, desktop and MIME caches, gio
  binutils desktop-file-utils shared-mime-info libglib2.0-bin
  libegl1 libgl1 libfontconfig1 libfreetype6 libdbus-1-3 libglib2.0-0
  libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0
  libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0
  libxcb-xkb1 libxcb-xfixes0 libxrender1 libxi6 libsm6 libice6
)
VENV=${FOLIO_VENV:-.venv}

system_packages() {
  local missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing system packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

python_env() {
  if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
  fi
  local stamp="$VENV/.folio-installed"
  local want
  want=$(sha256sum pyproject.toml | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
    "$VENV/bin/python" -m pip install -q -e ".[test,lint,cluster]"
    echo "$want" > "$stamp"
  fi
}

setup() {
  system_packages
  python_env
}

lint() {
  "$VENV/bin/ruff" check .
  "$VENV/bin/ruff" format --check .
  "$VENV/bin/lint-imports"
  "$VENV/bin/mypy" app
}

cmd=${1:-run}
shift || true
case "$cmd" in
  setup)
    setup
    ;;
  run)
    setup
    exec "$VENV/bin/folio" "$@"
    ;;
  test)
    setup
    lint
    QT_QPA_PLATFORM=offscreen "$VENV/bin/python" -m pytest "$@"
    ;;
  quick)
    setup
    QT_QPA_PLATFORM=offscreen "$VENV/bin/python" -m pytest -m "not slow" -q "$@"
    ;;
  lint)
    setup
    lint
    ;;
  bench)
    setup
    "$VENV/bin/python" -m pip install -q -e ".[bench]"
    for script in tests/bench/bench_*.py; do
      name=$(basename "$script" .py)
      echo "== $name"
      "$VENV/bin/python" -m "tests.bench.$name"
    done
    ;;
  stress)
    setup
    # The long versions of the trust tests (the suite runs 3 kill rounds).
    QT_QPA_PLATFORM=offscreen "$VENV/bin/python" -m tests.stress.kill_loop --rounds 30
    QT_QPA_PLATFORM=offscreen "$VENV/bin/python" -m tests.stress.hostile_batch
    ;;
  shots)
    setup
    # A private X server on the first free display, so the pictures are real X pixels.
    n=90
    while [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
    Xvfb ":$n" -screen 0 1440x900x24 -nolisten tcp >/dev/null 2>&1 &
    xvfb_pid=$!
    trap 'kill "$xvfb_pid" 2>/dev/null || true' EXIT
    for _ in $(seq 1 100); do xdpyinfo -display ":$n" >/dev/null 2>&1 && break; sleep 0.1; done
    DISPLAY=":$n" QT_QPA_PLATFORM=xcb PYTHONPATH=. "$VENV/bin/python" docs/shots.py "$@"
    ;;
  package)
    setup
    FOLIO_PYTHON="$VENV/bin/python" bash packaging/build_deb.sh "$@"
    ;;
  *)
    echo "usage: bash dev.sh setup|run|test|quick|lint|bench|stress|shots|package [ARGS...]" >&2
    exit 2
    ;;
esac
