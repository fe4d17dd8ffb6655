#!/usr/bin/env bash
# e2e: an interactive bash inside the sandbox, in a real terminal (tmux on a private socket):
# Ctrl-C, Ctrl-Z, jobs, bg, fg, kill %1, TOSTOP (SIGTTOU), SIGWINCH and the window size, exit status.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

command -v tmux >/dev/null || fail "tmux is missing (scripts/setup.sh installs it)"
export TERM=xterm  # CI may have none; tmux provides the terminal itself
sock="$E2E_TMP/tmux.sock"  # A socket path inside the test's own directory: nothing is left behind.
session=jc
tm() { tmux -S "$sock" "$@"; }
cleanup() { tm kill-server 2>/dev/null || true; rm -rf -- "$E2E_TMP"; }
trap cleanup EXIT

tm new-session -d -s "$session" -x 120 -y 30 \
  "$SENTRY run -- /bin/bash --norc -i; echo SANDBOX-EXITED \$?; sleep 60"

screen() { tm capture-pane -t "$session" -p; }
# wait_for TEXT: polls the screen for up to 10 s.
wait_for() {
  for _ in $(seq 1 100); do
    screen | grep -qF -- "$1" && return 0
    sleep 0.1
  done
  echo "--- screen ---" >&2
  screen >&2
  fail "did not see '$1' on the terminal"
}
type_line() { tm send-keys -t "$session" "$1" Enter; }

wait_for 'bash-'
check "commands run and the prompt comes back"
type_line 'echo hi $((2+3))'
wait_for 'hi 5'

check "Ctrl-C interrupts the foreground job (130)"
type_line 'sleep 100'
sleep 0.5
tm send-keys -t "$session" C-c
type_line 'echo rc=$?'
wait_for 'rc=130'

check "Ctrl-Z stops it, jobs lists it, bg resumes it, kill %1 ends it"
type_line 'sleep 100'
sleep 0.5
tm send-keys -t "$session" C-z
wait_for 'Stopped                 sleep 100'
type_line 'bg'
wait_for 'sleep 100 &'
type_line 'jobs'
wait_for 'Running                 sleep 100 &'
type_line 'kill %1'
type_line 'jobs'
wait_for 'Terminated              sleep 100'

check "fg brings a stopped job back to the foreground"
type_line 'sleep 1; echo slept'
sleep 0.3
tm send-keys -t "$session" C-z
wait_for 'Stopped'
type_line 'fg'
wait_for 'slept'

check "stty tostop: a background writer is stopped by SIGTTOU, fg lets it write"
type_line 'stty tostop; (echo from-background) & sleep 0.5; jobs'
wait_for 'Stopped                 ( echo from-background )'
type_line 'fg'
wait_for 'from-background'
type_line 'stty -tostop; (echo untouched-writer) & wait'
wait_for 'untouched-writer'

# bash prints plain "Stopped" for every stop signal (also natively); in POSIX mode it names
# the signal, which shows that the stop is reported with WSTOPSIG == SIGTTOU.
check "the TOSTOP stop is a SIGTTOU stop (bash in POSIX mode names the signal)"
type_line 'set -o posix; stty tostop; (echo posix-bg-$((6*7))) & sleep 0.5; jobs; set +o posix'
wait_for 'Stopped(SIGTTOU)'
type_line 'fg'
wait_for 'posix-bg-42'
type_line 'stty -tostop'

check "a window resize reaches the guest (SIGWINCH) and the new size is visible"
type_line 'trap "echo got-winch" WINCH'
sleep 0.3
tm resize-window -t "$session" -x 100 -y 25
wait_for 'got-winch'
type_line 'stty size'
wait_for '25 100'

check "exit status of the interactive shell becomes the sandbox's"
type_line 'exit 3'
wait_for 'SANDBOX-EXITED 3'
pass
