#!/usr/bin/env bash
# e2e: --timeout kills the whole sandbox after the duration and exits 124 with a message
# (like timeout(1)); a guest that finishes in time keeps its own status; bad durations are
# usage errors. Owned by the launcher. Usage: timeout_test.sh SENTRY_BINARY [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

now_ms() { echo $(($(date +%s%N) / 1000000)); }

check "sentry run --timeout 1 -- sleep 5: exit 124 after about 1 s"
start=$(now_ms)
run_sentry sleep run --timeout 1 -- /bin/sleep 5
elapsed=$(($(now_ms) - start))
echo "elapsed: ${elapsed} ms"
expect_status 124
expect_stderr_contains '^sentry: timed out after 1s$'
((elapsed >= 900)) || fail "returned after ${elapsed} ms, before the timeout"
((elapsed < 4000)) || fail "returned after ${elapsed} ms, long after the 1 s timeout"

check "--timeout 1.5 with background children: all of them die, 124 after about 1.5 s"
start=$(now_ms)
# The background job writes to the captured stderr at 3 s if it survives the sandbox.
run_sentry bg run --timeout 1.5 -- /bin/sh -c \
  "(sleep 3; echo late > /dev/stderr) & sleep 10"
elapsed=$(($(now_ms) - start))
echo "elapsed: ${elapsed} ms"
expect_status 124
expect_stderr_contains 'timed out after 1.5s'
((elapsed >= 1400 && elapsed < 4500)) || fail "returned after ${elapsed} ms"
sleep 2.5
! grep -q late "$ERR" || fail "a background process outlived the sandbox"

check "a guest that finishes in time keeps its status"
run_sentry intime run --timeout 10s -- /bin/sh -c 'exit 3'
expect_status 3
! grep -q 'timed out' "$ERR" || fail "timeout message although the guest finished"

check "bad durations are usage errors"
for bad in 0 -1 abc 1x "" 1e3 366d; do
  run_sentry bad run --timeout "$bad" -- /bin/true
  expect_status 2
  expect_stderr_contains '--timeout'
done
pass
