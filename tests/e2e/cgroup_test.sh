#!/usr/bin/env bash
# e2e: --memory, --pids and --cpus put the whole sandbox in a cgroup with those limits; a
# memory bomb is killed (the host is fine, a clear message, exit 137), fork stops at the pids
# limit, a CPU spin gets about the quota; the cgroup is removed after every run, including
# when the launcher is SIGKILLed. Needs root (or a delegated cgroup); owned by the launcher.
# Usage: cgroup_test.sh SENTRY_BINARY [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

[[ -x /usr/bin/python3 ]] || fail "/usr/bin/python3 is missing (run scripts/setup.sh)"
[[ -d /sys/fs/cgroup ]] || fail "no /sys/fs/cgroup on this host"

# Cgroup directories of sandboxes whose launcher is gone: leaks. (Directories of launchers
# still running, e.g. from tests run in parallel, are not ours to judge.)
leaked_cgroups() {
  local d base pid
  while IFS= read -r d; do
    base=$(basename "$d")
    pid=${base#sentry-}
    pid=${pid%%-*}
    [[ -e /proc/$pid ]] || echo "$d"
  done < <(find /sys/fs/cgroup -maxdepth 6 -type d -name 'sentry-*-*' 2>/dev/null)
}

expect_no_leak() {
  local leaks
  leaks=$(leaked_cgroups)
  [[ -z "$leaks" ]] || fail "cgroup directories left behind: $leaks"
}

check "--memory 64M: MemTotal shows the limit, and a 16 MiB allocation works"
run_sentry small run --memory 64M -- /usr/bin/python3 -c '
b = bytearray(16 << 20)
print(len(b))
print([l for l in open("/proc/meminfo") if l.startswith("MemTotal:")][0].split()[1])'
expect_status 0
expect_output $'16777216\n65536\n'
expect_no_leak

check "--memory 64M: bytearray(300 MiB) is killed, with a clear message; the host is fine"
run_sentry oom run --memory 64M --audit-log "$E2E_TMP/oom.jsonl" -- \
  /usr/bin/python3 -c 'b = bytearray(300 << 20); print("survived")'
if [[ "$RC" == 137 ]]; then
  expect_stderr_contains '^sentry: the sandbox ran out of memory \(--memory 64M\); the guest was killed$'
  grep -q '"event":"limit","limit":"memory","detail":"1 process(es) killed by the OOM killer at 67108864 bytes"' \
    "$E2E_TMP/oom.jsonl" || fail "no memory limit line in the audit log: $(cat "$E2E_TMP/oom.jsonl")"
elif [[ "$RC" == 1 ]]; then
  expect_stderr_contains 'MemoryError'
else
  show_stderr
  fail "exit status $RC, want 137 (OOM kill) or 1 (MemoryError)"
fi
! grep -q survived "$OUT" || fail "the guest allocated 300 MiB under a 64 MiB limit"
expect_no_leak
run_sentry after run -- /bin/echo host-is-fine
expect_status 0
expect_output $'host-is-fine\n'

check "--pids 16: a guest forking 40 sleepers gets at most 16 processes"
run_sentry pids run --pids 16 --audit-log "$E2E_TMP/pids.jsonl" -- /usr/bin/python3 -c '
import os, time
ok = failed = 0
for _ in range(40):
    try:
        pid = os.fork()
    except OSError:
        failed += 1
        continue
    if pid == 0:
        time.sleep(2)
        os._exit(0)
    ok += 1
print(ok, failed)
for _ in range(ok):
    os.wait()'
expect_status 0
read -r ok failed <"$OUT"
echo "forks: $ok succeeded, $failed failed"
((ok + 1 <= 16)) || fail "$((ok + 1)) guest processes ran under --pids 16"
((ok >= 8)) || fail "only $ok forks succeeded under --pids 16 (the limit is too tight)"
((failed == 40 - ok)) || fail "forks: $ok + $failed != 40"
grep -q '"event":"limit","limit":"pids","detail":"[0-9]* fork(s) refused at 16 tasks"' "$E2E_TMP/pids.jsonl" ||
  fail "no pids limit line in the audit log: $(cat "$E2E_TMP/pids.jsonl")"
expect_no_leak

# spin_share CPUS MAX: a 2 s CPU spin under --cpus CPUS must use less than MAX of a CPU (and
# some CPU at all). Busy test machines give an unlimited spin well below 1.0, so the 0.2 case
# is the one that tells a quota from a loaded host.
spin_share() {
  local cpus=$1 max=$2 share
  run_sentry "cpus$cpus" run --cpus "$cpus" --timeout 20 -- /usr/bin/python3 -c '
import os, time
start = time.monotonic()
while time.monotonic() - start < 2.0:
    pass
t = os.times()
print("%.3f" % ((t.user + t.system) / (time.monotonic() - start)))'
  expect_status 0
  share=$(cat "$OUT")
  echo "CPU share under --cpus $cpus: $share"
  python3 -c "import sys; s = float('$share'); sys.exit(0 if 0.05 < s < $max else 1)" ||
    fail "CPU share $share under --cpus $cpus, want between 0.05 and $max"
  expect_no_leak
}
check "--cpus 0.5: a CPU spin gets at most about half a CPU"
spin_share 0.5 0.6
check "--cpus 0.2: a CPU spin gets at most about a fifth of a CPU"
spin_share 0.2 0.3

check "--cpus 0.5 --timeout 2 on an endless spin: killed at 2 s, no cgroup left"
run_sentry spin run --cpus 0.5 --timeout 2 -- /usr/bin/python3 -c 'while True: pass'
expect_status 124
expect_no_leak

check "kill -9 of the launcher: the sandbox and its cgroup go away within a few seconds"
"$SENTRY" run --memory 64M --pids 64 -- /bin/sleep 60 </dev/null >/dev/null 2>"$E2E_TMP/k9.err" &
launcher=$!
procs="" dir=""
for _ in $(seq 100); do
  dir=$(find /sys/fs/cgroup -maxdepth 6 -type d -name "sentry-$launcher-*" 2>/dev/null | head -n 1)
  if [[ -n "$dir" ]]; then
    procs=$(cat "$dir/cgroup.procs" 2>/dev/null || true)
    # init, gofer, sentry and the guest's sleep
    (($(wc -w <<<"$procs") >= 4)) && break
  fi
  sleep 0.1
done
(($(wc -w <<<"$procs") >= 4)) || { kill -9 "$launcher"; fail "the sandbox did not start: $(cat "$E2E_TMP/k9.err")"; }
echo "launcher $launcher, sandbox processes: $(tr '\n' ' ' <<<"$procs")"
kill -9 "$launcher"
wait "$launcher" 2>/dev/null || true
alive() { [[ -e /proc/$1 ]] && [[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]]; }
gone=0
for _ in $(seq 50); do
  left=""
  for p in $procs; do alive "$p" && left+=" $p"; done
  dirs=$(find /sys/fs/cgroup -maxdepth 6 -type d -name "sentry-$launcher-*" 2>/dev/null)
  if [[ -z "$left" && -z "$dirs" ]]; then
    gone=1
    break
  fi
  sleep 0.1
done
((gone)) || fail "5 s after kill -9: processes left:${left:- none}; cgroups left: ${dirs:-none}"
expect_no_leak

check "bad limits are usage errors"
for args in "--memory 0" "--memory -1" "--memory lots" "--memory 1k" "--pids 0" "--pids -3" \
  "--pids 2.5" "--pids 99999999999" "--cpus 0" "--cpus -1" "--cpus abc" "--cpus 1e9"; do
  # shellcheck disable=SC2086
  run_sentry bad run $args -- /bin/true
  expect_status 2
  expect_stderr_contains "^sentry: ${args%% *} "
done
pass
