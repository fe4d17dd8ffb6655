#!/usr/bin/env bash
# Runs one syscall test binary under the sentry (the NAME.sentry CTest registration).
# Owned by the tests team. Usage: run_under_sentry.sh SENTRY EXPECTATIONS NAME BINARY [ARGS...]
set -euo pipefail

if (( $# < 4 )); then
  echo "usage: $0 SENTRY EXPECTATIONS NAME BINARY [GTEST_ARGS...]" >&2
  exit 2
fi
sentry=$1 expectations=$2 name=$3 binary=$4
shift 4

if [[ -d "$sentry" ]]; then
  echo "FAIL: '$sentry' is a directory, not the sentry binary (configure with -DSENTRY_BINARY=PATH)" >&2
  exit 1
fi
if [[ ! -f "$sentry" || ! -x "$sentry" ]]; then
  echo "FAIL: sentry binary '$sentry' is missing or not executable (build it: scripts/setup.sh)" >&2
  exit 1
fi

skipped=$(grep -E "^[[:space:]]*${name}:" "$expectations" || true)
if [[ -n "$skipped" ]]; then
  echo "Skipped under the sentry (known failures from $expectations):"
  sed 's/^[[:space:]]*/  /' <<<"$skipped"
fi

echo "+ $sentry run -- $binary $*"
exec "$sentry" run -- "$binary" "$@"
