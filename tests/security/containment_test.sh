#!/usr/bin/env bash
# security: the containment of the sandbox's own processes, read from the host's /proc while a
# guest runs (DESIGN §1, §2; issue 6): the init, the sentry and the guest have an empty root,
# the gofer's root holds only the trees it serves; capabilities are cut to what each needs,
# no_new_privs everywhere; nothing is left behind. Processes are found from the launcher's pid
# down its process tree (by pid, never by name). Run as `containment_test.sh SENTRY_BINARY`.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/../e2e/lib.sh" "$@"
require_sentry

# Prints "DEPTH PID" for every descendant of $1 (children at depth $2).
descendants() {
  local depth=$2 child
  for child in $(pgrep -P "$1" || true); do
    echo "$depth $child"
    descendants "$child" $((depth + 1))
  done
}
field() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$2/status" 2>/dev/null || true; }
root_listing() { ls -A "/proc/$1/root/" 2>&1 | tr '\n' ' ' | sed 's/ $//'; }

# Capability bits (linux/capability.h).
CAP_CHOWN=$((1 << 0)) CAP_DAC_OVERRIDE=$((1 << 1)) CAP_FOWNER=$((1 << 3))
GOFER_CAPS=$(printf '%016x' $((CAP_CHOWN | CAP_DAC_OVERRIDE | CAP_FOWNER)))
NO_CAPS=0000000000000000

mounts_before=$(wc -l </proc/self/mountinfo)
mdir=$(mktemp -d "$E2E_TMP/served.XXXXXX")
touch "$mdir/marker"

# Starts a guest that sleeps, finds init (depth 1), gofer and sentry (depth 2: the sentry is
# the one with children) and the guest (depth 3), and sets INIT GOFER SENTRY GUEST.
start_guest() {
  "$SENTRY" run "$@" -- sleep 5 </dev/null >"$E2E_TMP/run.out" 2>"$E2E_TMP/run.err" &
  LAUNCHER=$!
  INIT="" GOFER="" SENTRY_PID="" GUEST=""
  for _ in $(seq 1 80); do
    sleep 0.1
    local tree
    tree=$(descendants "$LAUNCHER" 1)
    INIT=$(awk '$1 == 1 {print $2}' <<<"$tree" | head -n1)
    GUEST=$(awk '$1 == 3 {print $2}' <<<"$tree" | head -n1)
    [[ -n "$INIT" && -n "$GUEST" ]] || continue
    SENTRY_PID=$(ps -o ppid= -p "$GUEST" | tr -d ' ')
    GOFER=$(awk -v s="$SENTRY_PID" '$1 == 2 && $2 != s {print $2}' <<<"$tree" | head -n1)
    # The sentry locks itself down (and drops its last capability) right after the guest
    # init exists: wait for that.
    [[ -n "$GOFER" && "$(field Seccomp "$SENTRY_PID")" == 2 && "$(field CapEff "$SENTRY_PID")" == "$NO_CAPS" ]] && return 0
  done
  fail "could not find init, gofer, sentry and guest below the launcher: $(descendants "$LAUNCHER" 1 | tr '\n' ' ')"
}
finish_guest() {
  set +e
  wait "$LAUNCHER"
  local rc=$?
  set -e
  [[ $rc == 0 ]] || { cat "$E2E_TMP/run.err" >&2; fail "sleep under the sentry exited $rc"; }
}

check "the init, the sentry and the guest see an empty root; the gofer only its served trees"
start_guest --mount "$mdir:/data:rw"
report=""
for p in "init:$INIT" "sentry:$SENTRY_PID" "guest:$GUEST" "gofer:$GOFER"; do
  report+="  ${p%%:*} (pid ${p#*:}): root = [$(root_listing "${p#*:}")]"$'\n'
done
echo -n "$report"
for pid in "$INIT" "$SENTRY_PID" "$GUEST"; do
  [[ -z "$(root_listing "$pid")" ]] || fail "a non-empty root:"$'\n'"$report"
done
# attack: a compromised sentry or guest opening an absolute path finds nothing there.
[[ "$(root_listing "$GOFER")" == "0 1" ]] || fail "the gofer's root is not just its two trees:"$'\n'"$report"
[[ -d "/proc/$GOFER/root/0/etc" ]] || fail "the gofer's /0 is not the served root"
[[ -e "/proc/$GOFER/root/1/marker" ]] || fail "the gofer's /1 is not the --mount source"
# The root tmpfs is read-only: nothing can be created in it, even by the host's root.
if touch "/proc/$SENTRY_PID/root/x" 2>/dev/null; then fail "the sentry's empty root is writable"; fi

check "capabilities: sentry, guest and init none; gofer CHOWN, DAC_OVERRIDE, FOWNER; bounding sets empty"
report=""
for p in "init:$INIT" "sentry:$SENTRY_PID" "guest:$GUEST" "gofer:$GOFER"; do
  pid=${p#*:}
  report+="  ${p%%:*} (pid $pid): CapEff $(field CapEff "$pid") CapPrm $(field CapPrm "$pid")"
  report+=" CapBnd $(field CapBnd "$pid") CapAmb $(field CapAmb "$pid") NoNewPrivs $(field NoNewPrivs "$pid")"$'\n'
done
echo -n "$report"
for pid in "$INIT" "$SENTRY_PID" "$GUEST"; do
  [[ "$(field CapEff "$pid")" == "$NO_CAPS" && "$(field CapPrm "$pid")" == "$NO_CAPS" ]] ||
    fail "a process kept capabilities:"$'\n'"$report"
done
[[ "$(field CapEff "$GOFER")" == "$GOFER_CAPS" && "$(field CapPrm "$GOFER")" == "$GOFER_CAPS" ]] ||
  fail "the gofer's capabilities are not CHOWN|DAC_OVERRIDE|FOWNER:"$'\n'"$report"
for pid in "$INIT" "$SENTRY_PID" "$GUEST" "$GOFER"; do
  [[ "$(field CapBnd "$pid")" == "$NO_CAPS" && "$(field CapAmb "$pid")" == "$NO_CAPS" ]] ||
    fail "a bounding or ambient set is not empty:"$'\n'"$report"
  [[ "$(field CapInh "$pid")" == "$NO_CAPS" ]] || fail "an inheritable set is not empty:"$'\n'"$report"
  [[ "$(field NoNewPrivs "$pid")" == 1 ]] || fail "no_new_privs is not set:"$'\n'"$report"
done
finish_guest

check "the guest, root inside, has no capability on the host side and cannot regain one"
# attack: the guest execs a program as uid 0 (root would get the full set back) and reads
# its own host capabilities through the sentry's /proc (virtual) — so the host's view above
# is what counts; here the guest's own execs must still run.
run_sentry "exec" run -- /bin/sh -c 'id -u; /bin/true && echo ran'
expect_status 0
[[ "$(cat "$OUT")" == $'0\nran' ]] || fail "unexpected output: $(cat "$OUT")"

check "everything still works through the empty roots: reads, writes to a rw --mount, links, renames"
run_sentry "rw" run --mount "$mdir:/data:rw" -- /bin/sh -c '
  echo hello > /data/f && ln /data/f /data/g && mv /data/g /data/h && chmod 600 /data/h &&
  cat /data/h && ls /data | sort | tr "\n" " " && head -c 4 /etc/passwd && echo'
expect_status 0
[[ "$(cat "$OUT")" == $'hello\nf h marker root' ]] || fail "unexpected output: $(cat "$OUT")"
[[ "$(cat "$mdir/h")" == hello && "$(stat -c %a "$mdir/h")" == 600 ]] || fail "the host file is wrong"

check "a killed launcher leaves no process and no mount behind"
start_guest
kill -KILL "$LAUNCHER"
wait "$LAUNCHER" 2>/dev/null || true
for _ in $(seq 1 50); do
  alive=""
  for pid in "$INIT" "$SENTRY_PID" "$GUEST" "$GOFER"; do
    [[ -d "/proc/$pid" ]] && alive+=" $pid"
  done
  [[ -z "$alive" ]] && break
  sleep 0.1
done
[[ -z "$alive" ]] || fail "left behind after SIGKILL of the launcher:$alive"
[[ "$(wc -l </proc/self/mountinfo)" == "$mounts_before" ]] || fail "the host's mount table changed"
pass
