#!/usr/bin/env bash
# e2e: `sentry run -- /bin/ls -la /usr/bin` prints the same as native ls.
# Owned by the tests team. Usage: ls_test.sh SENTRY_BINARY [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

check "native /bin/ls -la /usr/bin"
run_native ls /bin/ls -la /usr/bin
expect_status 0
native_out=$OUT

check "sentry run -- /bin/ls -la /usr/bin matches native"
run_sentry ls run -- /bin/ls -la /usr/bin
expect_status 0
expect_same_files "$native_out" "$OUT" "ls -la /usr/bin output"
pass
