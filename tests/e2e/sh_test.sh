#!/usr/bin/env bash
# e2e: `sentry run -- /bin/sh -c 'echo $((1+2)); exit 7'` prints 3 and exits 7 (no fork needed).
# Owned by the tests team. Usage: sh_test.sh SENTRY_BINARY [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

script='echo $((1+2)); exit 7'

check "native /bin/sh -c '$script'"
run_native sh /bin/sh -c "$script"
expect_status 7
expect_output $'3\n'

check "sentry run -- /bin/sh -c '$script' prints 3, exits 7"
run_sentry sh run -- /bin/sh -c "$script"
expect_status 7
expect_output $'3\n'
pass
