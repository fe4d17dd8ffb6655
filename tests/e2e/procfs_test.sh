#!/usr/bin/env bash
# e2e: /proc, /sys and /dev as ps, pgrep, free, top and Python's os module see them: only the
# sandbox's processes, real states, memory in use, the CPUs; compared with native runs.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

check "ps -e lists exactly the sandbox's processes; a sleeping child is in state S"
run_sentry ps run -- /bin/sh -c 'sleep 3 & sleep 0.5; ps -e -o pid=,stat=,comm=; kill $!'
expect_status 0
ps_out=$(cat "$OUT")
# pid 1 is the shell (session leader), then sleep 3, sleep 0.5 has exited, then ps itself.
grep -Eq '^ *1 Ss +sh$' <<<"$ps_out" || fail "no 'sh' as pid 1 in state Ss: $ps_out"
grep -Eq '^ *[0-9]+ S +sleep$' <<<"$ps_out" || fail "no sleeping 'sleep': $ps_out"
grep -Eq '^ *[0-9]+ R +ps$' <<<"$ps_out" || fail "ps does not see itself running: $ps_out"
n=$(wc -l <<<"$ps_out")
((n == 3)) || fail "ps -e shows $n processes, want 3 (sh, sleep, ps): $ps_out"

check "ps shows the real start time and ps aux non-zero VSZ/RSS"
run_sentry psaux run -- /bin/sh -c 'ps -o lstart= -p $$; ps aux'
expect_status 0
started=$(head -n 1 "$OUT")
age=$(($(date +%s) - $(date -d "$started" +%s)))
((age >= 0 && age < 120)) || fail "the shell started '$started', $age s ago"
awk 'NR > 2 && ($5 == 0 || $6 == 0) { bad = 1 } END { exit bad }' "$OUT" ||
  fail "ps aux shows a zero VSZ or RSS: $(cat "$OUT")"

check "pgrep finds a background sleep"
run_sentry pgrep run -- /bin/sh -c 'sleep 3 & sleep 0.3; pgrep sleep; pgrep -x sh; kill $!'
expect_status 0
expect_output $'2\n1\n'

check "free -m: total > 0 and used > 0; the total is the --memory limit"
run_sentry free run --memory 512m -- /usr/bin/free -m
expect_status 0
read -r total used <<<"$(awk '/^Mem:/ { print $2, $3 }' "$OUT")"
((total == 512)) || fail "free -m total $total, want 512: $(cat "$OUT")"
((used > 0)) || fail "free -m used $used, want > 0: $(cat "$OUT")"

check "top -bn1 runs and counts the sandbox's tasks"
run_sentry top run -- /usr/bin/top -bn1
expect_status 0
grep -Eq '^Tasks: +1 total, +1 running' "$OUT" || fail "top's task line: $(head -n 3 "$OUT")"

check "python3 os.cpu_count, os.sched_getaffinity, os.getloadavg agree with native"
py='import os; print(os.cpu_count(), len(os.sched_getaffinity(0)), len(os.getloadavg()))'
run_native py /usr/bin/python3 -c "$py"
native_py=$(cat "$OUT")
run_sentry py run -- /usr/bin/python3 -c "$py"
expect_status 0
expect_output "$native_py"$'\n'

check "/sys/devices/system/cpu/online matches native"
run_native online cat /sys/devices/system/cpu/online
native_online=$(cat "$OUT")
run_sentry online run -- cat /sys/devices/system/cpu/online
expect_status 0
expect_output "$native_online"$'\n'

check "ls /sys shows sysfs only (no host class/, block/, ...); it is read-only sysfs"
run_sentry sys run -- /bin/sh -c 'ls /sys; stat -f -c %T /sys; touch /sys/x 2>/dev/null || echo ro'
expect_status 0
expect_output $'devices\nfs\nsysfs\nro\n'

check "/dev: full refuses writes with ENOSPC, console and tty exist, fd links to /proc/self/fd"
run_sentry dev run -- /usr/bin/python3 -c '
import errno, os, stat
fd = os.open("/dev/full", os.O_WRONLY)
try:
    os.write(fd, b"x")
except OSError as e:
    print(errno.errorcode[e.errno])
for name in ("null", "zero", "full", "random", "urandom", "tty", "console"):
    st = os.stat("/dev/" + name)
    print(name, stat.S_ISCHR(st.st_mode), os.major(st.st_rdev), os.minor(st.st_rdev))
print(os.readlink("/dev/fd"), os.path.isdir("/dev/shm"))'
expect_status 0
expect_output $'ENOSPC\nnull True 1 3\nzero True 1 5\nfull True 1 7\nrandom True 1 8\nurandom True 1 9\ntty True 5 0\nconsole True 5 1\n/proc/self/fd True\n'

check "/proc/self/fd of the launcher's stdio: pipe:[N] and /dev/null as Linux names them, link modes by access"
require_sentry
run_as stdio /bin/bash -c 'echo | "$1" run -- /bin/sh -c "readlink /proc/self/fd/0; stat -c %A /proc/self/fd/0 /proc/self/fd/1"' _ "$SENTRY"
expect_status 0
grep -qxE 'pipe:\[[0-9]+\]' <(head -1 "$OUT") || fail "stdin pipe shows as '$(head -1 "$OUT")'"
[[ "$(tail -n +2 "$OUT")" == $'lr-x------\nl-wx------' ]] || fail "fd link modes: $(tail -n +2 "$OUT" | tr '\n' ' ')"
run_sentry stdio_null run -- /bin/readlink /proc/self/fd/0
expect_status 0
expect_output $'/dev/null\n'
pass
