#!/usr/bin/env bash
# e2e: while a guest runs, the sentry, the gofer and the guest all run under seccomp filters
# (host /proc/PID/status: "Seccomp: 2", "Seccomp_filters:" >= 1): DESIGN §1. Processes are
# found from the launcher's pid down its process tree (by pid, never by name).
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"
require_sentry

# Prints "DEPTH PID" for every descendant of $1 (children at depth 1).
descendants() {
  local depth=$2 child
  for child in $(pgrep -P "$1" || true); do
    echo "$depth $child"
    descendants "$child" $((depth + 1))
  done
}

field() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$2/status" 2>/dev/null || true; }

check "the sentry, the gofer and the guest show Seccomp: 2 while the guest runs"
"$SENTRY" run -- sleep 3 </dev/null >"$E2E_TMP/run.out" 2>"$E2E_TMP/run.err" &
launcher=$!
ok=0
for _ in $(seq 1 50); do
  sleep 0.1
  # Depth 1: the sandbox's init (and the cgroup watcher); 2: gofer and sentry; 3: guests.
  mapfile -t procs < <(descendants "$launcher" 1 | awk '$1 >= 2 {print $2}')
  ((${#procs[@]} >= 3)) || continue
  ok=1
  for pid in "${procs[@]}"; do
    [[ "$(field Seccomp "$pid")" == 2 && "$(field Seccomp_filters "$pid")" -ge 1 ]] || ok=0
  done
  ((ok)) && break
done
report=$(for pid in "${procs[@]}"; do
  echo "  pid $pid ($(cat "/proc/$pid/comm" 2>/dev/null)): Seccomp $(field Seccomp "$pid")," \
    "filters $(field Seccomp_filters "$pid")"
done)
echo "$report"
set +e
wait "$launcher"
rc=$?
set -e
((ok)) || fail "not every sandbox process is under seccomp:"$'\n'"$report"
((${#procs[@]} >= 3)) || fail "expected gofer, sentry and guest below the launcher"
[[ $rc == 0 ]] || { cat "$E2E_TMP/run.err" >&2; fail "sleep under the sentry exited $rc"; }

check "a forbidden syscall is reported in trap mode"
# Only a smoke test of the switch: a normal run must not trip it.
run_as trap env SENTRY_SELF_SECCOMP=trap "$SENTRY" run -- sh -c 'echo hi'
expect_status 0
grep -q "forbidden syscall" "$ERR" && fail "trap mode reported: $(cat "$ERR")"
pass
