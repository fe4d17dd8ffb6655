#!/usr/bin/env bash
# e2e: host secrets are masked when the root is the host's "/": /etc/shadow cannot be read,
# stat'ed, linked or copied, whatever the path; --unmask gives it back; the environment
# carries no host variables by default (SECRET=1 stays outside).
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"
[[ -e /etc/shadow ]] || { echo "SKIP: no /etc/shadow on this host"; pass; exit 0; }

check "cat /etc/shadow is refused, by any path or link"
run_sentry "cat" run -- /bin/sh -c 'cat /etc/shadow; echo "cat=$?"; cat /etc/../etc/./shadow; echo "dots=$?"
  ln /etc/shadow /tmp/s 2>&1; echo "ln=$?"; ln -s /etc/shadow /tmp/l; cat /tmp/l; echo "symlink=$?"
  cat /proc/self/root/etc/shadow; echo "procroot=$?"; stat /etc/shadow >/dev/null; echo "stat=$?"
  ls /etc/sudoers.d >/dev/null; echo "sudoersd=$?"'
expect_status 0
for k in cat dots ln symlink procroot stat; do
  grep -q "^$k=[1-9]" "$OUT" || fail "$k was not refused: $(cat "$OUT")"
done
grep -q "Permission denied" "$ERR" || fail "no 'Permission denied': $(head -c 500 "$ERR")"
! grep -q '^root:' "$OUT" || fail "shadow content leaked"

check "--unmask /etc/shadow serves it"
run_sentry "unmask" run --unmask /etc/shadow -- /bin/sh -c 'head -c 5 /etc/shadow'
expect_status 0
expect_output "$(head -c 5 /etc/shadow)"

check "SECRET=1 sentry run -- env: no SECRET inside"
SECRET=1 run_sentry "env" run -- /usr/bin/env
expect_status 0
! grep -q '^SECRET=' "$OUT" || fail "SECRET reached the guest"
pass
