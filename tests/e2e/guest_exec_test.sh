#!/usr/bin/env bash
# e2e: hostile execve and signal use from inside the guest: execve errors match native
# errnos (ENOENT, EACCES, ENOTDIR, E2BIG), new namespaces are refused, kill(-1) and signals
# to outside pids reach nothing outside the sandbox. The kill(-1) case runs only sandboxed.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

probe='
import errno, os, sys
def try_exec(path, argv):
    pid = os.fork()
    if pid == 0:
        try:
            os.execv(path, argv)
        except OSError as e:
            os._exit(e.errno)
    _, st = os.waitpid(pid, 0)
    return errno.errorcode.get(os.waitstatus_to_exitcode(st), "ran")
for p in ["/nonexistent", "/usr", "/etc/os-release", "/etc/passwd/x", ""]:
    print(repr(p), try_exec(p, [p or "x"]))
print("huge argv", try_exec("/bin/true", ["/bin/true", "a" * (200 * 1024)]))
print("many args", try_exec("/bin/true", ["/bin/true"] + ["b" * 1000] * 3000))
print("ok args", try_exec("/bin/true", ["/bin/true"] + ["c" * 100] * 100))
try:
    os.kill(999999, 0)
except OSError as e:
    print("kill outside:", errno.errorcode[e.errno])
'

check "execve errors and argv limits inside the guest match native errnos"
run_native exec_native /usr/bin/python3 -c "$probe"
expect_status 0
native_out=$OUT
run_sentry exec_sentry run -- /usr/bin/python3 -c "$probe"
expect_status 0
expect_same_files "$native_out" "$OUT" "execve probe output"
grep -q "E2BIG" "$OUT" || fail "no E2BIG for a huge argv"

check "new namespaces are refused inside (unshare -U, python os.unshare)"
run_sentry unshare run -- /usr/bin/unshare -U /bin/true
((RC != 0)) || fail "unshare -U succeeded inside the sandbox"
run_sentry pyunshare run -- /usr/bin/python3 -c '
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
# CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET
for flag in (0x10000000, 0x00020000, 0x20000000, 0x40000000):
    if libc.unshare(flag) == 0:
        print("ALLOWED", hex(flag))
    else:
        print("refused", hex(flag), ctypes.get_errno())'
expect_status 0
if grep -q ALLOWED "$OUT"; then fail "a namespace was created: $(cat "$OUT")"; fi

check "kill -9 -1 inside kills only the guest's own processes (sentry only, never native)"
run_sentry killall run -- /bin/sh -c 'sleep 30 & sleep 0.3; kill -9 -1; wait; echo survived'
expect_status 0
expect_output $'survived\n'
run_sentry after run -- /bin/echo still-ok
expect_output $'still-ok\n'
pass
