#!/usr/bin/env bash
# e2e: `sentry run -- /usr/bin/python3 -c 'print(sum(range(10)))'` prints 45.
# Owned by the tests team. Usage: python_test.sh SENTRY_BINARY [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

[[ -x /usr/bin/python3 ]] || fail "/usr/bin/python3 is missing (run scripts/setup.sh)"
prog='print(sum(range(10)))'

check "native python3 -c '$prog'"
run_native python /usr/bin/python3 -c "$prog"
expect_status 0
expect_output $'45\n'

check "sentry run -- python3 -c '$prog' prints 45"
run_sentry python run -- /usr/bin/python3 -c "$prog"
expect_status 0
expect_output $'45\n'
pass
