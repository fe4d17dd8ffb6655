#!/usr/bin/env bash
# Sets up (Debian packages, build) and runs every test: unit tests, syscall tests natively
# and under the sentry, end-to-end tests, and the benchmark quick mode. Bounded: every test
# has a timeout.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
ctest --test-dir build --output-on-failure -j2 --timeout 300

