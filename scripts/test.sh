#!/usr/bin/env bash
# Install what is missing (with the test tools), then run the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
exec .venv/bin/python -m pytest "$@"
