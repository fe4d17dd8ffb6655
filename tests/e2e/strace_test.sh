#!/usr/bin/env bash
# e2e: `sentry run --strace -- /bin/true` traces syscalls to stderr, through exit_group.
# Owned by the tests team. Usage: strace_test.sh SENTRY_BINARY [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

check "sentry run --strace -- /bin/true exits 0 with empty stdout"
run_sentry strace run --strace -- /bin/true
expect_status 0
expect_empty_stdout

# A trace line is "name(args...) = result", possibly after a "[pid N] " or time prefix.
check "stderr has syscall lines (execve( or others) and an exit_group( line"
trace_line='(^|[] ])[a-z_][a-z0-9_]*\('
expect_stderr_contains "$trace_line"
n=$(grep -Ec -- "$trace_line" "$ERR" || true)
((n >= 2)) || { show_stderr; fail "only $n syscall lines in the trace"; }
expect_stderr_contains '(^|[] ])exit_group\('
echo "  $n trace lines; first ones:"
grep -E -- "$trace_line" "$ERR" | head -n 3 | sed 's/^/    /'

check "calls the filter lets through to the host are traced too, marked (host)"
run_sentry strace_host run --strace -- /bin/sh -c 'kill -0 $$; echo done'
expect_status 0
expect_output $'done\n'
expect_stderr_contains '(^|[] ])kill\(1, 0\) = \? \(host\)'

check "signal handlers still work when every call is routed through the sentry"
run_sentry strace_signals run --strace -- /usr/bin/python3 -c '
import os, signal
signal.signal(signal.SIGALRM, lambda *a: None)
signal.setitimer(signal.ITIMER_REAL, 0.001, 0.001)
r, w = os.pipe()
n = 0
for i in range(300):
    os.getpid()
    n += 1
signal.setitimer(signal.ITIMER_REAL, 0)
print(n)'
expect_status 0
expect_output $'300\n'
pass
