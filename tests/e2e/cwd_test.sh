#!/usr/bin/env bash
# e2e: `cd /usr/share && sentry run -- /bin/pwd` prints /usr/share (cwd is passed to the guest).
# Owned by the tests team. Usage: cwd_test.sh SENTRY_BINARY [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

cd /usr/share

check "native /bin/pwd in /usr/share"
run_native pwd /bin/pwd
expect_status 0
expect_output $'/usr/share\n'

check "sentry run -- /bin/pwd in /usr/share prints /usr/share"
run_sentry pwd run -- /bin/pwd
expect_status 0
expect_output $'/usr/share\n'
pass
