#!/usr/bin/env bash
# Install what is missing, then build the example practice's pack into output/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/packgen build practices/riverside.yaml "$@"
