#!/usr/bin/env bash
# e2e: programs that make their own pseudo-terminal — python3 os.forkpty and pty.spawn running
# /bin/echo, util-linux `script -qc tty`, `ps -o tty` on the pty — behave under the sentry as
# natively.
# Owned by the pty work (issue 4). Usage: pty_test.sh SENTRY_BINARY [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

[[ -x /usr/bin/python3 ]] || fail "/usr/bin/python3 is missing (run scripts/setup.sh)"

# The child's output through the pty (\r\n: the line discipline's ONLCR), its exit status,
# and that the master reads EIO once the child is gone.
forkpty='
import os, sys
pid, fd = os.forkpty()
if pid == 0:
    os.execv("/bin/echo", ["echo", "hi"])
out = b""
while True:
    try:
        b = os.read(fd, 1024)
    except OSError as e:
        end = e.strerror
        break
    if not b:
        end = "eof"
        break
    out += b
_, st = os.waitpid(pid, 0)
print(repr(out), os.waitstatus_to_exitcode(st), end)
'
for where in native sentry; do
  check "$where: python3 os.forkpty + /bin/echo hi"
  if [[ $where == native ]]; then
    run_native forkpty /usr/bin/python3 -c "$forkpty"
  else
    run_sentry forkpty run -- /usr/bin/python3 -c "$forkpty"
  fi
  expect_status 0
  expect_output $'b\'hi\\r\\n\' 0 Input/output error\n'
done

spawn='import pty; pty.spawn(["/bin/echo", "hi"])'
check "native: python3 pty.spawn"
run_native spawn /usr/bin/python3 -c "$spawn"
expect_status 0
cp -- "$OUT" "$E2E_TMP/spawn.native"
check "sentry: python3 pty.spawn matches the native run"
run_sentry spawn run -- /usr/bin/python3 -c "$spawn"
expect_status 0
expect_same_files "$E2E_TMP/spawn.native" "$OUT" "pty.spawn output"

if [[ -x /usr/bin/script ]]; then
  # `tty` names the pty script made: /dev/pts/N (N is the sandbox's own numbering).
  for where in native sentry; do
    check "$where: script -qc tty /dev/null"
    if [[ $where == native ]]; then
      run_native script /usr/bin/script -qc 'tty; echo rc=$?' /dev/null
    else
      run_sentry script run -- /usr/bin/script -qc 'tty; echo rc=$?' /dev/null
    fi
    expect_status 0
    grep -Eq $'^/dev/pts/[0-9]+\r$' "$OUT" || { show_stderr; fail "$where: no /dev/pts/N line: $(cat -v "$OUT")"; }
    grep -q $'^rc=0\r$' "$OUT" || { show_stderr; fail "$where: tty failed: $(cat -v "$OUT")"; }
  done
  check "sentry: the sandbox numbers its ptys from 0"
  grep -q $'^/dev/pts/0\r$' "$OUT" || fail "not /dev/pts/0: $(cat -v "$OUT")"
  if [[ -x /usr/bin/ps ]]; then
    # /proc/PID/stat's tty_nr and tpgid: ps names the shell's terminal and its foreground
    # group (the shell's own: script made it the session leader on the pty).
    ps_cmd='echo "pid=$$"; ps -o tty=,tpgid= -p $$'
    for where in native sentry; do
      check "$where: ps -o tty,tpgid under script shows the pty"
      if [[ $where == native ]]; then
        run_native ps /usr/bin/script -qc "$ps_cmd" /dev/null
      else
        run_sentry ps run -- /usr/bin/script -qc "$ps_cmd" /dev/null
      fi
      expect_status 0
      pid=$(sed -n $'s/^pid=\\([0-9]*\\)\r$/\\1/p' "$OUT")
      [[ -n $pid ]] || fail "$where: no pid line: $(cat -v "$OUT")"
      grep -Eq $'^ *pts/[0-9]+ +'"$pid"$'\r$' "$OUT" ||
        { show_stderr; fail "$where: no 'pts/N $pid' line: $(cat -v "$OUT")"; }
    done
    check "sentry: ps names the sandbox's pts/0"
    grep -Eq $'^ *pts/0 ' "$OUT" || fail "not pts/0: $(cat -v "$OUT")"
  fi
else
  echo "SKIP: /usr/bin/script (util-linux) is not installed"
fi
pass
