#!/usr/bin/env bash
# e2e: sockets inside the sandbox (netstack) — python3's http.server on 127.0.0.1 fetched with
# urllib, asyncio.open_connection over loopback, a UDP echo, socketpair and an AF_UNIX path
# socket; output compared with a native run. Outside addresses are unreachable in the
# sandbox, connect/bind land in the audit log, raw sockets stay refused; a write(2) blocked on
# a full AF_UNIX datagram receiver costs the sentry no CPU while it waits.
# Usage: net_test.sh SENTRY_BINARY [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

[[ -x /usr/bin/python3 ]] || fail "/usr/bin/python3 is missing (run scripts/setup.sh)"
script="$E2E_TMP/net_prog.py"
cat >"$script" <<'PY'
import asyncio, http.server, os, socket, sys, tempfile, threading, urllib.request

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("hello from " + self.path).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass

srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=srv.serve_forever, daemon=True).start()
port = srv.server_address[1]
for path in ("/a", "/b/c"):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as r:
        print(r.status, r.read().decode())
srv.shutdown()
srv.server_close()

async def main():
    async def handle(reader, writer):
        line = await reader.readline()
        writer.write(line.upper())
        await writer.drain()
        writer.close()
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    p = server.sockets[0].getsockname()[1]
    for i in range(3):
        reader, writer = await asyncio.open_connection("127.0.0.1", p)
        writer.write(f"asyncio ping {i}\n".encode())
        await writer.drain()
        print((await reader.readline()).decode().strip())
        writer.close()
        await writer.wait_closed()
    server.close()
    await server.wait_closed()
asyncio.run(main())

u1 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u1.bind(("127.0.0.1", 0))
u2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u2.bind(("127.0.0.1", 0))
u2.sendto(b"udp", u1.getsockname())
data, src = u1.recvfrom(100)
print(data.decode(), src == u2.getsockname())

a, b = socket.socketpair()
a.sendall(b"pair")
print(b.recv(10).decode())

d = tempfile.mkdtemp()
path = os.path.join(d, "s")
l = socket.socket(socket.AF_UNIX); l.bind(path); l.listen(1)
c = socket.socket(socket.AF_UNIX); c.connect(path)
s, _ = l.accept()
c.sendall(b"unix path")
print(s.recv(100).decode(), os.path.exists(path))
os.unlink(path); os.rmdir(d)
PY

check "native run"
run_native net /usr/bin/python3 "$script"
expect_status 0
cp -- "$OUT" "$E2E_TMP/native.out"

check "the same program under the sentry"
log="$E2E_TMP/audit.jsonl"
run_sentry net run --audit-log "$log" -- /usr/bin/python3 "$script"
expect_status 0
expect_same_files "$E2E_TMP/native.out" "$OUT" "stdout"

check "connect and bind are audited"
python3 - "$log" <<'PYCHECK' || fail "audit log: $(grep -E 'connect|bind' "$log" | head -c 1500)"
import json, sys
events = [json.loads(l) for l in open(sys.argv[1])]
def has(pred, what):
    if not any(pred(e) for e in events):
        sys.exit(f"missing: {what}")
has(lambda e: e["event"] == "bind" and e["family"] == "inet" and e["address"].startswith("127.0.0.1:"), "inet bind")
has(lambda e: e["event"] == "connect" and e["family"] == "inet" and e["address"].startswith("127.0.0.1:"), "inet connect")
has(lambda e: e["event"] == "bind" and e["family"] == "unix" and e["address"].endswith("/s"), "unix path bind")
PYCHECK

check "outside addresses are unreachable, raw sockets refused"
run_sentry outside run -- /usr/bin/python3 -c '
import errno, socket
s = socket.socket()
try:
    s.connect(("192.0.2.1", 80)); print("connected")
except OSError as e:
    print(errno.errorcode[e.errno])
try:
    socket.socket(socket.AF_INET, socket.SOCK_RAW, 1); print("raw opened")
except OSError as e:
    print(errno.errorcode[e.errno])
try:
    socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0); print("netlink opened")
except OSError as e:
    print(errno.errorcode[e.errno])
'
expect_status 0
expect_output $'ENETUNREACH\nEPERM\nEAFNOSUPPORT\n'

check "a write blocked on a full datagram receiver does not spin the sentry"
blocked="$E2E_TMP/blocked_write.py"
cat >"$blocked" <<'PY'
import os, socket, sys, threading, time
delay = float(sys.argv[1])
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
a.setblocking(False)
n = 0
try:
    while n < 100000:
        a.send(b"x" * 512)
        n += 1
except BlockingIOError:
    pass
a.setblocking(True)
got = []
def reader():
    time.sleep(delay)
    for _ in range(n + 1):
        got.append(b.recv(1024)[:1])
t = threading.Thread(target=reader)
t.start()
os.write(a.fileno(), b"M" * 512)  # write(2), not send: waits like send does
t.join()
print(n > 0, len(got) == n + 1, got[-1] == b"M")
PY
# CPU seconds the sentry (and what it waited for) used for one run, printed after its output.
cpu_of_run() {
  /usr/bin/python3 - "$SENTRY" "$blocked" "$1" <<'PYRUN'
import resource, subprocess, sys
r = subprocess.run([sys.argv[1], "run", "--", "/usr/bin/python3", sys.argv[2], sys.argv[3]],
                   stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print(r.stdout.strip(), r.returncode, round(u.ru_utime + u.ru_stime, 3))
PYRUN
}
quick=$(cpu_of_run 0)
slow=$(cpu_of_run 2)
[[ "$quick" == "True True True 0 "* && "$slow" == "True True True 0 "* ]] ||
  fail "blocked write runs: '$quick' / '$slow'"
# Two seconds of spinning would cost about two CPU seconds more than the quick run.
python3 -c 'import sys; q, s = float(sys.argv[1]), float(sys.argv[2]); sys.exit(s - q > 0.8)' \
  "${quick##* }" "${slow##* }" || fail "the sentry burned CPU while the write waited: $quick / $slow"
pass
