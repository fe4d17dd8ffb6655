#!/usr/bin/env bash
# e2e: a guest issuing random syscalls with garbage arguments (tests/hostile/syscall_fuzz)
# must never crash or hang the sentry; afterwards the sentry still runs programs. Only under
# the sentry: random syscalls natively as root could damage the host.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

fuzz="$BUILD_DIR/tests/hostile/syscall_fuzz"
[[ -x "$fuzz" ]] || fail "$fuzz not built"

for seed in 0x9e3779b97f4a7c15 0x123456789 0xdeadbeefcafe; do
  check "random syscalls for 8 s (seed $seed): the sentry survives and the fuzzer finishes"
  run_sentry "fuzz.$seed" run -- "$fuzz" 8 "$seed"
  expect_status 0
  grep -q '^fuzz: ' "$OUT" || { show_stderr; fail "fuzzer did not report"; }
  cat "$OUT"
done

check "the sentry still runs a program afterwards"
run_sentry after run -- /bin/echo ok
expect_status 0
expect_output $'ok\n'
pass
