#!/usr/bin/env bash
# e2e: processes, threads and signals (issue 3's list, as far as it works): pipelines,
# traps, killing a child, timeout, Python subprocess/threads/alarm; each compared with native.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

# same NAME CMD...: the sentry's stdout and exit status equal the native run's.
same() {
  local name=$1
  shift
  run_native "$name" "$@"
  local native_rc=$RC native_out=$OUT
  run_sentry "$name" run -- "$@"
  ((RC == native_rc)) || { show_stderr; fail "$name: exit $RC under the sentry, $native_rc natively"; }
  expect_same_files "$native_out" "$OUT" "$name stdout"
}

check "a shell loop with pipelines (fork, exec, pipes, wait)"
same loop /bin/sh -c 'for i in 1 2 3; do echo $i | cat; done'
expect_output $'1\n2\n3\n'

check "bash: a trap runs for a signal sent to itself"
same trap /bin/bash -c 'trap "echo got" USR1; kill -USR1 $$; echo after'
expect_output $'got\nafter\n'

check "the program starts with default dispositions: SIGPIPE ends a writer to a closed pipe"
same sigpipe /bin/bash -c 'yes | head -1; echo "${PIPESTATUS[@]}"; grep SigIgn /proc/self/status'
expect_output $'y\n141 0\nSigIgn:\t0000000000000000\n'

check "bash: a killed background child reports 143"
same bgkill /bin/bash -c 'sleep 5 & kill $!; wait $!; echo $?'
expect_output $'143\n'

check "ps shows an exited, unreaped child as <defunct> until its parent reaps it"
same defunct /usr/bin/python3 -c '
import os, subprocess
pid = os.fork()
if pid == 0: os._exit(0)
os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
print(*subprocess.run(["ps", "-o", "stat=,args=", "-p", str(pid)], capture_output=True, text=True).stdout.split())
os.waitpid(pid, 0)
print(subprocess.run(["ps", "-p", str(pid)], capture_output=True).returncode)'
expect_output $'Z [python3] <defunct>\n1\n'

check "timeout 1 sleep 5 exits 124 after about a second"
start=$SECONDS
run_sentry timeout run -- /usr/bin/timeout 1 /bin/sleep 5
expect_status 124
((SECONDS - start <= 3)) || fail "timeout took $((SECONDS - start)) s"

check "python3: subprocess.run captures a child's output"
same subprocess /usr/bin/python3 -c \
  'import subprocess; r = subprocess.run(["/bin/echo", "sub"], capture_output=True); print(r.stdout, r.returncode)'

check "python3: 4 threads incrementing under a Lock"
same threads /usr/bin/python3 -c '
import threading
n = 0
lock = threading.Lock()
def f():
    global n
    for _ in range(20000):
        with lock:
            n += 1
ts = [threading.Thread(target=f) for _ in range(4)]
[t.start() for t in ts]
[t.join() for t in ts]
print(n)'
expect_output $'80000\n'

check "python3: signal.alarm interrupts os.read on an empty pipe and time.sleep"
same alarm /usr/bin/python3 -c '
import os, signal, time
def h(*a): raise TimeoutError
signal.signal(signal.SIGALRM, h)
signal.alarm(1)
r, w = os.pipe()
try:
    os.read(r, 1)
except TimeoutError:
    print("read interrupted")
signal.alarm(1)
t = time.time()
try:
    time.sleep(5)
except TimeoutError:
    print("sleep interrupted after", round(time.time() - t))'
expect_output $'read interrupted\nsleep interrupted after 1\n'

check "kill(0, SIGTERM) reaches only the guest's own process group, never the launcher"
run_sentry killzero run -- /bin/sh -c 'trap "echo trapped" TERM; kill -TERM 0; echo alive'
expect_status 0
expect_output $'trapped\nalive\n'
pass
