#!/usr/bin/env bash
# e2e: README.md's host syscall allowlists are exactly what scripts/gen_seccomp_docs.sh makes
# from the current `sentry seccomp-tables`.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

root=$(cd "$(dirname "$0")/../.." && pwd)

check "sentry seccomp-tables prints the three lists"
run_sentry tables seccomp-tables
expect_status 0
for section in "### Guest: passthrough to the host" "### Sentry" "### Gofer"; do
  grep -qxF -- "$section" "$OUT" || fail "no '$section' section"
done

check "README.md carries the current tables"
grep -qF '<!-- seccomp-tables:begin -->' "$root/README.md" ||
  fail "README.md has no seccomp-tables markers: run scripts/gen_seccomp_docs.sh"
generated="$E2E_TMP/README.md"
run_as gen bash "$root/scripts/gen_seccomp_docs.sh" "$SENTRY" -
expect_status 0
cp -- "$OUT" "$generated"
if ! cmp -s -- "$root/README.md" "$generated"; then
  diff -u --label README.md --label generated -- "$root/README.md" "$generated" |
    head -n 40 >&2 || true
  fail "README.md's seccomp tables are stale: run scripts/gen_seccomp_docs.sh"
fi
pass
