#!/usr/bin/env bash
# e2e: docs/syscalls.md is exactly what scripts/gen_syscall_docs.sh makes from the current
# `sentry syscalls`, and at most 35 syscalls pass through to the host. Owned by the tests team.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

root=$(cd "$(dirname "$0")/../.." && pwd)
max_passthrough=35  # ../shared/DESIGN.md, section 1, goal 1

check "scripts/gen_syscall_docs.sh generates the page from the current binary"
require_sentry
generated="$E2E_TMP/syscalls.md"
run_as gen bash "$root/scripts/gen_syscall_docs.sh" "$SENTRY" "$generated"
expect_status 0
[[ -s "$generated" ]] || fail "the generator wrote nothing"

# Table rows are "| NR | name | action | support | note |"; the action cell never contains '|'
# (notes may, escaped as '\|', but they come last).
check "the passthrough rows agree with the summary line and number at most $max_passthrough"
rows=$(grep -cE '^\| [0-9]+ \| ' "$generated" || true)
passthrough=$(awk -F'|' '/^\| [0-9]+ \| / && $4 ~ /^ passthrough/ {gsub(/ /, "", $3); print $3}' \
  "$generated")
count=$(grep -c . <<<"$passthrough" || true)
summary=$(grep -E '^[0-9]+ syscalls: ' "$generated" || true)
[[ -n "$summary" ]] || fail "no summary line ('N syscalls: ...') in the generated table"
[[ "$summary" =~ ^([0-9]+)\ syscalls:.*\ ([0-9]+)\ passthrough ]] ||
  fail "cannot read the summary line: $summary"
((BASH_REMATCH[1] == rows)) ||
  fail "the summary says ${BASH_REMATCH[1]} syscalls, the table has $rows rows"
((BASH_REMATCH[2] == count)) ||
  fail "the summary says ${BASH_REMATCH[2]} passthrough, the table has $count passthrough rows"
echo "  $count passthrough of $rows syscalls: $(tr '\n' ' ' <<<"$passthrough")"
((count <= max_passthrough)) ||
  fail "$count syscalls pass through to the host, the limit is $max_passthrough"

check "docs/syscalls.md is up to date"
committed="$root/docs/syscalls.md"
[[ -f "$committed" ]] || fail "docs/syscalls.md is missing: run scripts/gen_syscall_docs.sh"
if ! cmp -s -- "$committed" "$generated"; then
  echo "--- diff (docs/syscalls.md vs generated), first 40 lines ---" >&2
  diff -u --label docs/syscalls.md --label generated -- "$committed" "$generated" |
    head -n 40 >&2 || true
  fail "docs/syscalls.md differs from what the current binary generates:" \
    "run scripts/gen_syscall_docs.sh"
fi
pass
