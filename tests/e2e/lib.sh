#!/usr/bin/env bash
# Shared helpers for the e2e scripts: runs commands natively and under the sentry (with a
# timeout, stdin from /dev/null, outputs captured to files) and compares the results.
# Owned by the tests team. Usage, first line of a script:  source "$(dirname "$0")/lib.sh" "$@"
set -euo pipefail

if [[ $# -lt 1 || -z "${1:-}" ]]; then
  echo "usage: $(basename "$0") SENTRY_BINARY [BUILD_DIR]" >&2
  exit 2
fi
SENTRY=$(realpath -m -- "$1")
export BUILD_DIR=${2:-}  # for scripts that need build outputs
# Upper bound for one program run; the CTest TIMEOUT (120 s) is the outer bound.
E2E_RUN_TIMEOUT=${E2E_RUN_TIMEOUT:-60}
E2E_NAME=$(basename "$0" .sh)

# Not under /tmp: the sandbox mounts a private tmpfs there, so fixtures must live elsewhere.
E2E_TMP=$(mktemp -d /var/tmp/sentry-e2e.XXXXXX)
trap 'rm -rf -- "$E2E_TMP"' EXIT

# Outputs of the last run_* call.
RC=0 OUT="" ERR=""

fail() {
  echo "FAIL [$E2E_NAME]: $*" >&2
  exit 1
}

check() { echo "CHECK: $*"; }

pass() { echo "PASS [$E2E_NAME]"; }

# Fails unless the sentry binary exists and is executable (a directory does not count).
require_sentry() {
  [[ ! -d "$SENTRY" ]] ||
    fail "'$SENTRY' is a directory, not the sentry binary (configure with -DSENTRY_BINARY=PATH)"
  [[ -f "$SENTRY" && -x "$SENTRY" ]] ||
    fail "sentry binary '$SENTRY' is missing or not executable (build it: scripts/setup.sh)"
}

# run_as LABEL CMD...: runs CMD with a timeout; sets RC, OUT and ERR (paths of the captured
# stdout and stderr). Never aborts the script; a timeout fails the test.
run_as() {
  local label=$1
  shift
  OUT="$E2E_TMP/$label.out"
  ERR="$E2E_TMP/$label.err"
  local start=$SECONDS
  set +e
  timeout --kill-after=5 "$E2E_RUN_TIMEOUT" "$@" </dev/null >"$OUT" 2>"$ERR"
  RC=$?
  set -e
  if ((SECONDS - start >= E2E_RUN_TIMEOUT)); then
    show_stderr
    fail "'$*' timed out after ${E2E_RUN_TIMEOUT}s (exit $RC)"
  fi
}

# run_native LABEL CMD...: runs CMD on the host.
run_native() { run_as "native.$1" "${@:2}"; }

# run_sentry LABEL SENTRY_ARGS...: runs `sentry SENTRY_ARGS...`.
run_sentry() {
  require_sentry
  run_as "sentry.$1" "$SENTRY" "${@:2}"
}

# Prints the stderr of the last run (for failure context).
show_stderr() {
  if [[ -s "$ERR" ]]; then
    echo "--- stderr of the last run (first 40 lines) ---" >&2
    head -n 40 -- "$ERR" >&2
    echo "---" >&2
  fi
}

expect_status() {
  local want=$1
  if [[ "$RC" != "$want" ]]; then
    show_stderr
    fail "exit status $RC, want $want"
  fi
}

# expect_same_files WANT GOT WHAT: byte-identical files, else a unified diff.
expect_same_files() {
  local want=$1 got=$2 what=$3
  if ! cmp -s -- "$want" "$got"; then
    echo "--- diff (native vs sentry) of $what, first 60 lines ---" >&2
    diff -u --label native --label sentry -- "$want" "$got" | head -n 60 >&2 || true
    show_stderr
    fail "$what differs from the native run"
  fi
}

# expect_output TEXT: stdout of the last run is exactly TEXT (give the trailing newline).
expect_output() {
  local want="$E2E_TMP/expected.$RANDOM"
  printf '%s' "$1" >"$want"
  expect_same_files "$want" "$OUT" "stdout"
}

expect_empty_stdout() {
  [[ ! -s "$OUT" ]] || { show_stderr; fail "stdout not empty: $(head -c 200 -- "$OUT")"; }
}

# expect_stderr_contains REGEX (extended grep).
expect_stderr_contains() {
  grep -Eq -- "$1" "$ERR" || { show_stderr; fail "stderr does not match /$1/"; }
}
