#!/usr/bin/env bash
# Install what is missing (with the test tools), then run the test suite, one test process per core.
# Tests marked with the same xdist_group run in the same process (see tests/conftest.py).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
exec .venv/bin/python -m pytest -n auto --dist loadgroup "$@"
