#!/usr/bin/env bash
# e2e: GNU `tail -f` follows a file with inotify (its polling interval is set to 30 s, so only
# an inotify wake-up prints the appended line in time), natively and under the sentry.
# Usage: tail_follow_test.sh SENTRY_BINARY [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

# The file lives in a private directory made by mktemp under $1: the host's /tmp natively,
# /dev/shm (a tmpfs) under the sentry. tail treats overlayfs (the sandbox's /tmp) as remote
# and polls there, as it would on a native overlay root.
SCRIPT='d=$(mktemp -d "$1/tailf.XXXXXX")
printf "one\n" > "$d/f"
tail -s 30 -n +1 -f "$d/f" > "$d/out" 2>&1 &
pid=$!
sleep 0.5
printf "two\n" >> "$d/f"
i=0
while [ "$i" -lt 40 ] && ! grep -q two "$d/out"; do sleep 0.1; i=$((i+1)); done
kill "$pid"
wait "$pid" 2>/dev/null
cat "$d/out"
rm -rf "$d"'

check "native tail -f sees an appended line at once"
run_native tailf sh -c "$SCRIPT" sh /tmp
expect_output "one
two
"

check "sentry run -- tail -f sees an appended line at once"
run_sentry tailf run -- /bin/sh -c "$SCRIPT" sh /dev/shm
expect_output "one
two
"
pass
