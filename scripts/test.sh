#!/usr/bin/env bash
# Install what is missing (with the test tools), then run the test suite, one test process per core.
# Each test file runs in one process, so that a build a module's tests share is made once.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
exec .venv/bin/python -m pytest -n auto --dist loadfile "$@"
