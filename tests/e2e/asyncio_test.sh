#!/usr/bin/env bash
# e2e: python3 asyncio (an epoll event loop) runs concurrent sleeps, a subprocess with a
# stdout pipe and an asyncio pipe reader; the output matches a native run. Until AF_UNIX
# socketpair exists under the sentry, the program swaps asyncio's self-pipe for a pipe there.
# Owned by the tests team. Usage: asyncio_test.sh SENTRY_BINARY [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

[[ -x /usr/bin/python3 ]] || fail "/usr/bin/python3 is missing (run scripts/setup.sh)"
script="$E2E_TMP/asyncio_prog.py"
cat >"$script" <<'PY'
import asyncio, errno, os, selectors, socket, sys, time

# asyncio's self-pipe is a socketpair. Where AF_UNIX sockets are not available (the sentry
# before its netstack), stand in a pipe with the same recv/send surface, so the rest of the
# program (epoll, pipes, child processes, timers) still runs unchanged.
class _PipeEnd:
    def __init__(self, fd): self._fd = fd
    def fileno(self): return self._fd
    def setblocking(self, flag): os.set_blocking(self._fd, flag)
    def recv(self, n): return os.read(self._fd, n)
    def send(self, data): return os.write(self._fd, data)
    def close(self):
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

try:
    a, b = socket.socketpair()
    a.close(); b.close()
except OSError as e:
    if e.errno != errno.ENOSYS:
        raise
    print("note: socketpair unavailable; asyncio self-pipe is a pipe", file=sys.stderr)
    def _pipe_pair(*args):
        r, w = os.pipe2(os.O_CLOEXEC)
        return _PipeEnd(r), _PipeEnd(w)
    socket.socketpair = _pipe_pair

async def sleeper(name, delay, log):
    await asyncio.sleep(delay)
    log.append(name)

async def child():
    proc = await asyncio.create_subprocess_exec(
        "echo", "hi", stdout=asyncio.subprocess.PIPE)
    out, _ = await proc.communicate()
    return out.decode().strip(), proc.returncode

async def pipe_reader():
    loop = asyncio.get_running_loop()
    r, w = os.pipe()
    reader = asyncio.StreamReader()
    transport, _ = await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(r, "rb", 0))
    async def writer():
        for i in range(3):
            await asyncio.sleep(0.01)
            os.write(w, b"line %d\n" % i)
        os.close(w)
    task = asyncio.ensure_future(writer())
    lines = [l.decode().strip() async for l in reader]
    await task
    transport.close()
    return lines

async def main():
    print("selector:", type(selectors.DefaultSelector()).__name__)
    log = []
    start = time.monotonic()
    results = await asyncio.gather(
        sleeper("c", 0.15, log), sleeper("a", 0.05, log), sleeper("b", 0.10, log),
        child(), pipe_reader())
    elapsed = time.monotonic() - start
    print("sleep order:", "".join(log))
    print("child:", results[3])
    print("pipe:", results[4])
    print("concurrent:", elapsed < 1.0)

asyncio.run(main())
PY

check "native python3 asyncio program"
run_native asyncio /usr/bin/python3 "$script"
expect_status 0
cp -- "$OUT" "$E2E_TMP/native.stdout"
grep -q 'child: (.hi., 0)' "$OUT" || fail "unexpected native output: $(cat "$OUT")"

check "sentry run -- python3 asyncio program: same output"
run_sentry asyncio run -- /usr/bin/python3 "$script"
expect_status 0
expect_same_files "$E2E_TMP/native.stdout" "$OUT" "stdout"
pass
