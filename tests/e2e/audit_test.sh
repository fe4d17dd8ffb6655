#!/usr/bin/env bash
# e2e: --audit-log FILE gets one JSON object per line for exec (path, argv), opens for
# writing, creates, renames, unlinks, refused syscalls, limit hits and the exit; the guest can neither
# write to the log nor stop it (it has no fd to it and the file is outside its view).
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

log="$E2E_TMP/audit.jsonl"
check "a shell session is recorded"
run_sentry "audit" run --audit-log "$log" -- /bin/sh -c '
  echo x > /tmp/audit_a; mv /tmp/audit_a /tmp/audit_b; rm /tmp/audit_b; mkdir /tmp/audit_d
  ln -s target /tmp/audit_l; cat /etc/hostname > /dev/null
  python3 -c "import ctypes; print(ctypes.CDLL(None).syscall(101, 0, 0, 0, 0))"
  exit 3'
expect_status 3
[[ -s "$log" ]] || fail "no audit log written"
python3 - "$log" <<'PY' || fail "audit log content: $(head -c 2000 "$log")"
import json, sys
events = [json.loads(l) for l in open(sys.argv[1])]
def has(pred, what):
    if not any(pred(e) for e in events):
        sys.exit(f"missing: {what}")
has(lambda e: e["event"] == "exec" and e["path"] == "/bin/sh" and e["argv"][0] == "/bin/sh", "exec of /bin/sh")
has(lambda e: e["event"] == "exec" and e["path"].endswith("/mv"), "exec of mv")
has(lambda e: e["event"] == "open" and e["path"] == "/tmp/audit_a" and "create" in e["mode"], "open for create")
has(lambda e: e["event"] == "rename" and e["path"] == "/tmp/audit_a" and e["to"] == "/tmp/audit_b", "rename")
has(lambda e: e["event"] == "unlink" and e["path"] == "/tmp/audit_b", "unlink")
has(lambda e: e["event"] == "mkdir" and e["path"] == "/tmp/audit_d", "mkdir")
has(lambda e: e["event"] == "symlink" and e["path"] == "/tmp/audit_l" and e["to"] == "target", "symlink")
has(lambda e: e["event"] == "refused" and e["syscall"] == "ptrace" and e["errno"] == 1, "refused ptrace")
if any(e["event"] == "open" and e["path"] == "/etc/hostname" for e in events):
    sys.exit("a read-only open was recorded")
if events[-1]["event"] != "exit" or events[-1]["status"] != 3:
    sys.exit("last line is not the exit")
PY
grep -q '^-1$' "$OUT" || fail "ptrace was not refused with -1: $(cat "$OUT")"

check "limit hits are recorded: a full --disk (sentry), --timeout (launcher)"
limits="$E2E_TMP/limits.jsonl"
run_sentry "limits" run --disk 4M --timeout 2 --audit-log "$limits" -- /bin/sh -c '
  dd if=/dev/zero of=/tmp/fill bs=1M count=8 2>/dev/null; echo dd=$?; sleep 30'
expect_status 124
grep -q '^dd=1$' "$OUT" || fail "dd did not fail on the full disk: $(cat "$OUT")"
python3 - "$limits" <<'PY' || fail "limit lines: $(cat "$limits")"
import json, sys
events = [json.loads(l) for l in open(sys.argv[1])]
limits = [e for e in events if e["event"] == "limit"]
if not any(e["limit"] == "disk" and "ENOSPC" in e["detail"] and e["pid"] > 0 for e in limits):
    sys.exit("missing: the disk limit")
if not any(e["limit"] == "timeout" and e["detail"] == "killed after 2000 ms" for e in limits):
    sys.exit("missing: the timeout")
PY

check "the guest cannot reach the log"
run_sentry "hidden" run --audit-log "$log" -- /bin/sh -c "ls -l /proc/self/fd/ | grep -c audit; echo forged >> $log"
# The write lands in the sandbox's overlay copy of the path (if the guest can see the path at
# all), never in the host file.
! grep -qx forged "$log" || fail "the guest wrote into the audit log"
grep -q '^0$' "$OUT" || fail "an audit fd is visible in the guest: $(cat "$OUT")"
pass
