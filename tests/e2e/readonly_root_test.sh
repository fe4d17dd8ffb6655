#!/usr/bin/env bash
# e2e: the default root is the host's "/" read-only: every way of writing a host file from
# inside fails with EROFS and the file is unchanged afterwards. Uses a scratch victim file.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

# In lib.sh's scratch dir (removed by its trap): on the host's read-only root as seen inside
# (not under /tmp, which is a private tmpfs in the sandbox).
victim=$(mktemp "$E2E_TMP/victim.XXXXXX")
printf 'original content\n' >"$victim"
before=$(sha256sum "$victim")

check "shell redirections onto a host file fail"
for redir in ': >' 'echo x >' 'echo x >>'; do
  run_sentry "redir" run -- /bin/sh -c "$redir $victim"
  ((RC != 0)) || fail "'$redir $victim' succeeded inside the sandbox"
  expect_stderr_contains 'Read-only file system'
done

check "every write-capable open mode gets EROFS, and unlink/rename/chmod are refused"
run_sentry "modes" run -- /usr/bin/python3 -c "
import os, sys
bad = []
for fl in (os.O_WRONLY, os.O_RDWR, os.O_WRONLY | os.O_TRUNC, os.O_RDONLY | os.O_TRUNC,
           os.O_WRONLY | os.O_APPEND, os.O_WRONLY | os.O_CREAT):
    try:
        os.close(os.open(sys.argv[1], fl)); bad.append(('opened', fl))
    except OSError as e:
        if e.errno != 30: bad.append((e.strerror, fl))
for op in (lambda p: os.unlink(p), lambda p: os.rename(p, p + '.x'), lambda p: os.chmod(p, 0o777),
           lambda p: os.truncate(p, 0)):
    try:
        op(sys.argv[1]); bad.append('metadata op succeeded')
    except OSError:
        pass
print(bad or 'all refused')
sys.exit(1 if bad else 0)
" "$victim"
expect_status 0

check "the host file is unchanged"
after=$(sha256sum "$victim")
[[ "$before" == "$after" ]] || fail "host file changed: $before -> $after"
pass
