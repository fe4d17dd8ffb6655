#!/usr/bin/env bash
# e2e: the guest's environment is clean by default (PATH, HOME, TERM, LANG only), --env K=V
# sets, --env K passes the host's value through, --inherit-env passes everything; and
# --hostname sets the name the guest sees. Owned by the launcher.
# Usage: env_test.sh SENTRY_BINARY [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

check "the host's variables do not leak: SECRET=1 sentry run -- env"
run_as clean env SECRET=1 LD_PRELOAD= "$SENTRY" run -- /usr/bin/env
expect_status 0
! grep -q '^SECRET=' "$OUT" || fail "SECRET leaked into the guest: $(cat "$OUT")"
! grep -q '^LD_PRELOAD=' "$OUT" || fail "LD_PRELOAD leaked into the guest"
grep -q '^PATH=' "$OUT" || fail "no PATH in the guest: $(cat "$OUT")"

check "exactly PATH, HOME, TERM, LANG from a known host environment"
run_as exact env -i PATH=/usr/bin:/bin HOME=/home/someone TERM=xterm LANG=C.UTF-8 SECRET=1 \
  "$SENTRY" run -- /usr/bin/env
expect_status 0
expect_output $'PATH=/usr/bin:/bin\nHOME=/home/someone\nTERM=xterm\nLANG=C.UTF-8\n'

check "defaults when the host has no PATH or HOME"
run_as defaults env -i "$SENTRY" run -- /usr/bin/env
expect_status 0
expect_output $'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nHOME=/root\n'

check "--env A=b sets, --env FOO passes the host's FOO, --env UNSET adds nothing"
run_as set env -i PATH=/usr/bin:/bin FOO=from-host "$SENTRY" run --env A=b --env FOO \
  --env UNSET --env=HOME=/srv -e 'B=x y=z' -- /usr/bin/env
expect_status 0
expect_output $'PATH=/usr/bin:/bin\nHOME=/srv\nA=b\nFOO=from-host\nB=x y=z\n'

check "--env HOME passes the host's HOME"
run_as home env HOME=/var/empty-home "$SENTRY" run --env HOME -- /bin/sh -c 'echo "$HOME"'
expect_status 0
expect_output $'/var/empty-home\n'

check "--inherit-env passes everything, --env still overrides"
run_as inherit env SECRET=1 OTHER=2 "$SENTRY" run --inherit-env --env OTHER=3 -- /usr/bin/env
expect_status 0
grep -qx 'SECRET=1' "$OUT" || fail "--inherit-env lost SECRET"
grep -qx 'OTHER=3' "$OUT" || fail "--env did not override an inherited variable"
[[ "$(grep -c '^OTHER=' "$OUT")" == 1 ]] || fail "OTHER appears twice"

check "--env with an empty name is a usage error"
run_sentry badenv run --env =x -- /bin/true
expect_status 2
expect_stderr_contains '--env "=x"'

check "--hostname: uname -n, hostname and /proc/sys/kernel/hostname agree"
run_sentry hostname run --hostname box-1.example -- /bin/sh -c \
  'uname -n; cat /proc/sys/kernel/hostname; python3 -c "import socket; print(socket.gethostname())"'
expect_status 0
expect_output $'box-1.example\nbox-1.example\nbox-1.example\n'

check "the default host name is sentry"
run_sentry defhost run -- /bin/uname -n
expect_status 0
expect_output $'sentry\n'

check "bad --hostname values are usage errors"
for bad in "" "-x" "a_b" "a b" "$(printf 'h%.0s' {1..65})"; do
  run_sentry badhost run --hostname "$bad" -- /bin/true
  expect_status 2
  expect_stderr_contains '--hostname'
done
pass
