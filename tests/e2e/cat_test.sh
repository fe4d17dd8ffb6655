#!/usr/bin/env bash
# e2e: `sentry run -- /bin/cat /etc/os-release` prints the same as native cat.
# Owned by the tests team. Usage: cat_test.sh SENTRY_BINARY [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

check "native /bin/cat /etc/os-release"
run_native cat /bin/cat /etc/os-release
expect_status 0
[[ -s "$OUT" ]] || fail "native cat printed nothing"
native_out=$OUT

check "sentry run -- /bin/cat /etc/os-release matches native"
run_sentry cat run -- /bin/cat /etc/os-release
expect_status 0
expect_same_files "$native_out" "$OUT" "/etc/os-release content"
pass
