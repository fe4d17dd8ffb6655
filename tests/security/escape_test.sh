#!/usr/bin/env bash
# security: escape attempts that must fail. Each check names the attack and the refusal we
# expect; the guest is the host's own python3/sh, the sandbox the default one unless a check
# says otherwise. Run as `escape_test.sh SENTRY_BINARY`; exits non-zero on the first escape.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/../e2e/lib.sh" "$@"

check "syscalls that reach the host kernel's shared state are refused (EPERM/ENOSYS)"
run_sentry "syscalls" run -- /usr/bin/python3 -c '
import ctypes, errno, os, socket, sys
libc = ctypes.CDLL(None, use_errno=True)
def call(nr, *args):
    r = libc.syscall(nr, *[ctypes.c_long(a) for a in args])
    return r, ctypes.get_errno()
bad = []
# attack: (syscall number, arguments), what it would reach
attacks = {
    "ptrace(PTRACE_ATTACH, 1)": (101, 16, 1, 0, 0),      # trace another sandbox process
    "mount tmpfs on /mnt": (165, 0, 0, 0, 0, 0),
    "umount2(/)": (166, 0, 0),
    "unshare(CLONE_NEWUSER)": (272, 0x10000000),          # nested user namespace
    "unshare(CLONE_NEWNS)": (272, 0x00020000),
    "setns": (308, 0, 0),
    "bpf(BPF_PROG_LOAD)": (321, 5, 0, 0),
    "perf_event_open": (298, 0, 0, -1, -1, 0),
    "keyctl": (250, 0, 0, 0, 0, 0),
    "init_module": (175, 0, 0, 0),
    "finit_module": (313, 0, 0, 0),
    "kexec_load": (246, 0, 0, 0, 0),
    "reboot": (169, 0xfee1dead, 672274793, 0x1234567, 0),
    "swapon": (167, 0, 0),
    "acct": (163, 0),
    "settimeofday": (164, 0, 0),
    "clock_settime": (227, 0, 0),
    "userfaultfd": (323, 0),
    "io_uring_setup": (425, 1, 0),
    "open_by_handle_at": (304, -100, 0, 0),              # bypasses path checks on Linux
    "pivot_root": (155, 0, 0),
    "fsopen": (430, 0, 0),
    "open_tree (clone a host mount)": (428, -100, 0, 1),
    "move_mount": (429, -100, 0, -100, 0, 0),
    "fsmount": (432, 0, 0, 0),
    "fspick": (433, -100, 0, 0),
    "mount_setattr": (442, -100, 0, 0, 0, 0),
    "kexec_file_load": (320, 0, 0, 0, 0, 0),
    "delete_module": (176, 0, 0),
    "swapoff": (168, 0),
    "add_key": (248, 0, 0, 0, 0, 0),
    "request_key": (249, 0, 0, 0, 0),
    "io_uring_enter": (426, 0, 0, 0, 0, 0, 0),
    "io_uring_register": (427, 0, 0, 0, 0),
    "name_to_handle_at": (303, -100, 0, 0, 0, 0),      # a handle for open_by_handle_at
    "syslog (host kernel log)": (103, 3, 0, 0),
    "iopl": (172, 3),
    "ioperm": (173, 0, 1024, 1),
    "adjtimex": (159, 0),
    "clock_adjtime": (305, 0, 0),
    "quotactl": (179, 0, 0, 0, 0),
    "vhangup": (153,),
    "kcmp (compare host objects)": (312, 1, 1, 0, 0, 0),
    "clone(CLONE_NEWUSER)": (56, 0x10000000 | 17, 0, 0, 0, 0),  # a nested user namespace
    "clone3 (flags in memory)": (435, 0, 0),
}
for what, (nr, *args) in attacks.items():
    r, e = call(nr, *args)
    if r != -1 or e not in (errno.EPERM, errno.ENOSYS, errno.EACCES, errno.EOPNOTSUPP):
        bad.append(f"{what}: returned {r}, errno {e}")
for fam, typ in ((socket.AF_INET, socket.SOCK_RAW), (socket.AF_PACKET, socket.SOCK_RAW),
                 (socket.AF_NETLINK, socket.SOCK_RAW)):
    try:
        socket.socket(fam, typ, 0).close(); bad.append(f"socket({fam},{typ}) opened")
    except OSError:
        pass
print("\n".join(bad) or "all refused")
sys.exit(1 if bad else 0)'
expect_status 0

check "host processes are invisible: the launcher, the sentry and the gofer cannot be signalled"
run_sentry "pids" run -- /usr/bin/python3 -c "
import os, sys
bad = []
for pid in ($$, $PPID):                       # the test shell and its parent, on the host
    try:
        os.kill(pid, 0); bad.append(f'kill({pid}, 0) reached a host process')
    except ProcessLookupError:
        pass
visible = sorted(int(p) for p in os.listdir('/proc') if p.isdigit())
if visible != [1]: bad.append(f'/proc shows {visible}')
if os.readlink('/proc/1/root') != '/': bad.append('/proc/1/root is not the sandbox root')
print(bad or 'ok'); sys.exit(1 if bad else 0)"
expect_status 0

check "cat /proc/1/cmdline shows the guest's own init, not the sandbox's init or the host's"
run_sentry "cmdline" run -- cat /proc/1/cmdline
expect_status 0
[[ "$(tr '\0' ' ' <"$OUT")" == "cat /proc/1/cmdline " ]] || fail "/proc/1/cmdline: $(tr '\0' ' ' <"$OUT")"

check "'..' from the root stays at the root; /proc/self/root leads back into the sandbox"
run_sentry "dotdot" run -- /bin/sh -c 'cd /; [ "$(ls -a /../../..)" = "$(ls -a /)" ] && [ "$(cd -P /proc/self/root/.. && pwd -P)" = "/" ] && echo ok'
expect_output $'ok\n'

check "a symlink inside a --mount pointing outside resolves inside the sandbox, never on the host"
mdir=$(mktemp -d "$E2E_TMP/mnt.XXXXXX")
victim=$(mktemp "$E2E_TMP/victim.XXXXXX")
echo original >"$victim"
ln -s "$victim" "$mdir/escape"
run_sentry "symlink" run --mount "$mdir:/data:rw" -- /bin/sh -c 'echo pwned > /data/escape; cat /data/escape'
[[ "$(cat "$victim")" == original ]] || fail "a write through a mount symlink reached the host file"

check "a host unix socket (a daemon's, say docker's) is unreachable: connect is refused, no fd is passed"
# The attack: reach a host daemon through its socket file (visible through the root overlay or a
# --mount) and pass fds over it or receive one. The sandbox's sockets live in the sentry: a path
# connects only to a socket bound inside the sandbox, so the host listener never sees a client.
hostsock="$E2E_TMP/host.sock"
python3 - "$hostsock" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(1); s.settimeout(15)
try:
    c, _ = s.accept()
    open(sys.argv[1] + ".reached", "w").write("connected")
except socket.timeout:
    pass
PY
listener=$!
for _ in $(seq 1 50); do [[ -S "$hostsock" ]] && break; sleep 0.1; done
[[ -S "$hostsock" ]] || fail "the host listener did not start"
run_sentry "hostsock" run --mount "$E2E_TMP:/host:rw" -- /usr/bin/python3 -c '
import errno, socket
for path in ("/host/host.sock", "'"$hostsock"'"):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(path)
        print("connected", path)
    except OSError as e:
        print(errno.errorcode[e.errno])'
kill "$listener" 2>/dev/null || true
wait "$listener" 2>/dev/null || true
expect_status 0
expect_output $'ECONNREFUSED\nECONNREFUSED\n'
[[ ! -e "$hostsock.reached" ]] || fail "a guest connected to a host unix socket"

check "a fork bomb under --pids 64 is contained and leaves nothing behind"
run_sentry "forkbomb" run --pids 64 --timeout 20 -- /usr/bin/python3 -c '
import os, time
n = 0
for _ in range(500):
    try:
        if os.fork() == 0:
            time.sleep(3); os._exit(0)
        n += 1
    except OSError:
        break
print(n)'
expect_status 0
(( $(cat "$OUT") < 64 )) || fail "fork bomb started $(cat "$OUT") processes under --pids 64"

check "a memory bomb under --memory 128M dies or gets MemoryError; the host is fine"
run_sentry "membomb" run --memory 128M -- /usr/bin/python3 -c 'x = bytearray(1 << 30); print("allocated")'
((RC != 0)) || fail "1 GiB was allocated under --memory 128M"
! grep -q allocated "$OUT" || fail "the allocation succeeded"

check "a disk fill under --disk 16M stops at ENOSPC"
run_sentry "diskfill" run --disk 16M -- /bin/sh -c 'dd if=/dev/zero of=/tmp/fill bs=1M count=64 2>&1; echo done'
grep -q 'No space left on device' "$OUT" || fail "no ENOSPC: $(cat "$OUT")"

check "a CPU spin under --cpus 0.5 --timeout 2 is stopped after about 2 s with 124"
start=$SECONDS
run_sentry "spin" run --cpus 0.5 --timeout 2 -- /bin/sh -c 'while :; do :; done'
expect_status 124
((SECONDS - start <= 10)) || fail "the spin ran $((SECONDS - start)) s"

pass
