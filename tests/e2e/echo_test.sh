#!/usr/bin/env bash
# e2e: `sentry run -- /bin/echo hello` prints exactly "hello\n" and exits 0, like natively.
# Owned by the tests team. Usage: echo_test.sh SENTRY_BINARY [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

check "native /bin/echo hello"
run_native echo /bin/echo hello
expect_status 0
expect_output $'hello\n'

check "sentry run -- /bin/echo hello prints exactly 'hello\\n', exit 0"
run_sentry echo run -- /bin/echo hello
expect_status 0
expect_output $'hello\n'
check "a bare program name is looked up in PATH inside the sandbox (sentry run -- echo hello)"
run_sentry path run -- echo hello
expect_status 0
expect_output $'hello\n'

check "an unknown bare name exits 127 and names it"
run_sentry nopath run -- sentry-no-such-command
expect_status 127
expect_stderr_contains 'sentry-no-such-command'
pass
