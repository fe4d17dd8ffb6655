#!/usr/bin/env bash
# e2e: exit statuses: 128+N for a signal, 127 for a missing program, non-zero for a bad rootfs.
# Owned by the tests team. Usage: exit_status_test.sh SENTRY_BINARY [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

script='kill -TERM $$'

check "native /bin/sh -c '$script' exits 143"
run_native kill /bin/sh -c "$script"
expect_status 143

check "sentry run -- /bin/sh -c '$script' exits 143 (128+SIGTERM)"
run_sentry kill run -- /bin/sh -c "$script"
expect_status 143

check "sentry run -- /nonexistent exits 127 and names the program on stderr"
run_sentry missing run -- /nonexistent
expect_status 127
expect_stderr_contains 'nonexistent'

check "sentry run --rootfs /nonexistent -- /bin/true fails cleanly with a message"
run_sentry badroot run --rootfs /nonexistent -- /bin/true
((RC != 0)) || fail "exit status 0 with a missing rootfs"
((RC < 128)) || { show_stderr; fail "exit status $RC: looks like a crash, want a clean error"; }
expect_stderr_contains 'nonexistent'
pass
