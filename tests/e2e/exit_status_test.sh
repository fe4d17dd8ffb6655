#!/usr/bin/env bash
# e2e: exit statuses: the program's own, 128+N for a signal, 127 for a missing program, non-zero for a bad rootfs.
# Owned by the tests team. Usage: exit_status_test.sh SENTRY_BINARY [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

# A fault kills the guest with SIGSEGV: 128+11. The program is pid 1 of its own pid
# namespace, but the sentry applies default-fatal signals as they act on a normal process.
fault='import ctypes; ctypes.string_at(0)'

check "native python3 -c '$fault' exits 139"
run_native segv /usr/bin/python3 -c "$fault"
expect_status 139

check "sentry run -- python3 -c '$fault' exits 139 (128+SIGSEGV)"
run_sentry segv run -- /usr/bin/python3 -c "$fault"
expect_status 139

check "sentry run -- /bin/sh -c 'kill -TERM \$\$' exits 143, as natively (not as a container init)"
run_sentry selfkill run -- /bin/sh -c 'kill -TERM $$'
expect_status 143

check "sentry run -- /bin/sh -c 'exit 3' exits 3"
run_sentry three run -- /bin/sh -c 'exit 3'
expect_status 3

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
