#!/usr/bin/env bash
# Install what packgen needs on Debian (system libraries, fonts, a virtualenv) if it is missing.
# Safe to run again: it installs only what is absent.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(
  python3 python3-venv python3-pip          # Python and virtualenvs
  libpango-1.0-0 libpangoft2-1.0-0          # WeasyPrint's text layout
  libharfbuzz0b libharfbuzz-subset0         # shaping and fast, stable font subsetting
  fonts-liberation                          # Liberation Sans: metric-compatible with Arial
  fontconfig                                # fc-match, used to check the font is found
  poppler-utils                             # pdftoppm/pdftotext for looking at pages
)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

extra="${1:-}"   # "test" also installs the test tools
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
stamp=".venv/.installed-${extra:-base}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  if [ -n "$extra" ]; then
    .venv/bin/python -m pip install -q -e ".[$extra]"
  else
    .venv/bin/python -m pip install -q -e .
  fi
  touch "$stamp"
fi
