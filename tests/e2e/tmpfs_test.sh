#!/usr/bin/env bash
# e2e: /dev/shm (always) and --tmpfs mounts such as /tmp are the sandbox's own tmpfs (writes
# never reach the host); without --tmpfs /tmp the host's /tmp is visible and read-only; sizes
# are enforced (ENOSPC, and the sandbox stays usable); python3 multiprocessing and gcc work. Owned by the tests team. Usage: tmpfs_test.sh SENTRY_BINARY [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

name="sentry-e2e-tmpfs-$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')"
[[ ! -e "/tmp/$name" ]] || fail "/tmp/$name exists on the host before the test"

check "by default the host's /tmp is visible inside, and writes to it stay inside"
host_file=$(mktemp /tmp/sentry-e2e-visible.XXXXXX)
printf 'seen\n' >"$host_file"
run_sentry hosttmp run -- /bin/sh -c "cat $host_file; echo x > /tmp/$name && cat /tmp/$name; echo y >> $host_file"
host_after=$(cat -- "$host_file")
rm -f -- "$host_file"
expect_status 0
expect_output $'seen\nx\n'
[[ "$host_after" == seen ]] || fail "a write reached the host file: $host_after"
[[ ! -e "/tmp/$name" ]] || { rm -f -- "/tmp/$name"; fail "a write reached the host's /tmp"; }

check "--tmpfs /tmp: echo x > /tmp/$name && cat /tmp/$name prints x inside"
run_sentry write run --tmpfs /tmp -- /bin/sh -c "echo x > /tmp/$name && cat /tmp/$name"
expect_status 0
expect_output $'x\n'
[[ ! -e "/tmp/$name" ]] || { rm -f -- "/tmp/$name"; fail "the write reached the host's /tmp"; }

check "/tmp (--tmpfs /tmp:256m) and /dev/shm (default) are tmpfs mounts, sticky, world-writable"
run_sentry mounts run --tmpfs /tmp:256m -- /bin/sh -c \
  'stat -f -c "%T %b %S" /tmp /dev/shm; stat -c "%a %U" /tmp /dev/shm; grep " tmpfs " /proc/mounts | cut -d" " -f1-3'
expect_status 0
expect_output $'tmpfs 65536 4096\ntmpfs 16384 4096\n1777 root\n1777 root\ntmpfs /dev/shm tmpfs\ntmpfs /tmp tmpfs\n'

check "dd past a --tmpfs /tmp:8m limit fails with ENOSPC and the sandbox stays usable"
run_sentry enospc run --tmpfs /tmp:8m -- /bin/sh -c \
  'dd if=/dev/zero of=/tmp/big bs=1M count=100 2>&1; echo "dd=$?"; rm /tmp/big && echo ok > /tmp/after && cat /tmp/after'
expect_status 0
grep -q 'No space left on device' "$OUT" || { cat "$OUT" >&2; fail "dd did not report ENOSPC"; }
grep -qx 'dd=1' "$OUT" || { cat "$OUT" >&2; fail "dd did not fail"; }
[[ "$(tail -n 1 "$OUT")" == ok ]] || { cat "$OUT" >&2; fail "the sandbox was not usable after ENOSPC"; }

check "--tmpfs on a directory that does not exist is a clear start-up error"
run_sentry missing run --tmpfs /nonexistent-sentry-dir:1m -- /bin/true
expect_status 125
expect_stderr_contains '--tmpfs /nonexistent-sentry-dir: no such directory in the sandbox'

check "--tmpfs with a bad size is a usage error"
run_sentry badsize run --tmpfs /tmp:lots -- /bin/true
expect_status 2
expect_stderr_contains 'bad size'

[[ -x /usr/bin/python3 ]] || fail "/usr/bin/python3 is missing (run scripts/setup.sh)"
check "python3 multiprocessing.Pool(2).map (semaphores in /dev/shm)"
run_sentry mp run -- /usr/bin/python3 -c '
import multiprocessing
def sq(x):
    return x * x
if __name__ == "__main__":
    with multiprocessing.Pool(2) as p:
        print(p.map(sq, range(8)))
'
expect_status 0
expect_output $'[0, 1, 4, 9, 16, 25, 36, 49]\n'

command -v gcc >/dev/null 2>&1 || fail "gcc is missing (scripts/setup.sh installs build-essential)"
check "gcc compiles and runs a hello world in /tmp"
run_sentry gcc run --tmpfs /tmp -- /bin/sh -c \
  'printf "#include <stdio.h>\nint main(void) { puts(\"hello from tmpfs\"); return 0; }\n" >/tmp/hello.c &&
   gcc -o /tmp/hello /tmp/hello.c && /tmp/hello'
expect_status 0
expect_output $'hello from tmpfs\n'
pass
