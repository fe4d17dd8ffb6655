#!/usr/bin/env bash
# e2e: the default root is the host's "/" under an in-memory overlay: every way of changing a
# host file works inside and is seen by later reads in the same sandbox, while the host file
# stays unchanged; new files never reach the host; --disk limits the overlay (ENOSPC).
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

victim=$(mktemp "$E2E_TMP/victim.XXXXXX")
printf 'original content\n' >"$victim"
before=$(sha256sum "$victim")
mkdir -p "$E2E_TMP/tree/sub"
printf 'leaf\n' >"$E2E_TMP/tree/sub/leaf"

check "shell redirections onto a host file work inside"
run_sentry "redir" run -- /bin/sh -c "echo appended >> $victim && cat $victim && : > $victim && wc -c < $victim"
expect_status 0
expect_output $'original content\nappended\n0\n'

check "every open mode, unlink, rename, chmod and truncate work inside, in order"
run_sentry "modes" run -- /usr/bin/python3 -c "
import os, sys, stat
p = sys.argv[1]
for fl in (os.O_WRONLY, os.O_RDWR, os.O_WRONLY | os.O_TRUNC, os.O_RDONLY | os.O_TRUNC,
           os.O_WRONLY | os.O_APPEND, os.O_WRONLY | os.O_CREAT):
    os.close(os.open(p, fl))
with open(p, 'w') as f: f.write('new')
os.chmod(p, 0o600); assert stat.S_IMODE(os.stat(p).st_mode) == 0o600
os.truncate(p, 2); assert open(p).read() == 'ne'
os.rename(p, p + '.moved'); assert not os.path.exists(p)
os.unlink(p + '.moved'); assert not os.path.exists(p + '.moved')
print('ok')
" "$victim"
expect_status 0
expect_output $'ok\n'

check "a host directory tree can be renamed and removed inside"
run_sentry "mvtree" run -- /bin/sh -c "mv $E2E_TMP/tree $E2E_TMP/tree2 && cat $E2E_TMP/tree2/sub/leaf &&
  rm -r $E2E_TMP/tree2 && ls -a $E2E_TMP | grep -c '^tree'"
expect_output $'leaf\n0\n'


check "the host is untouched"
after=$(sha256sum "$victim")
[[ "$before" == "$after" ]] || fail "host file changed: $before -> $after"
[[ -f "$E2E_TMP/tree/sub/leaf" ]] || fail "host tree was changed"

check "a file made in /tmp inside does not exist on the host afterwards"
name="/tmp/sentry-overlay-$$-$RANDOM"
run_sentry "tmp" run -- /bin/sh -c "echo x > $name && cat $name"
expect_status 0
expect_output $'x\n'
[[ ! -e "$name" ]] || { rm -f -- "$name"; fail "$name reached the host"; }

check "dd beyond --disk 8M fails with ENOSPC, and the sandbox stays usable"
run_sentry "disk" run --disk 8M -- /bin/sh -c \
  "dd if=/dev/zero of=/tmp/fill bs=1M count=16 2>&1; rm /tmp/fill; echo ok > /tmp/after && cat /tmp/after"
expect_status 0
grep -q 'No space left on device' "$OUT" || fail "no ENOSPC: $(cat "$OUT")"
grep -q '^ok$' "$OUT" || fail "sandbox unusable after ENOSPC: $(cat "$OUT")"
pass
