#!/usr/bin/env bash
# e2e: python3's sqlite3 with two processes, a writer and a reader, sequenced by pipes:
# 1000 rows inserted in one transaction, concurrent reads during RESERVED and EXCLUSIVE
# locks (fcntl record locks), rollback journal and WAL. Native and sentry outputs must be
# identical. Owned by the tests team. Usage: sqlite_test.sh SENTRY_BINARY [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

[[ -x /usr/bin/python3 ]] || fail "/usr/bin/python3 is missing (run scripts/setup.sh)"
/usr/bin/python3 -c 'import sqlite3' 2>/dev/null || fail "python3 has no sqlite3 module"

prog="$E2E_TMP/sqlite_two_procs.py"
cat >"$prog" <<'EOF'
import os, sqlite3, sys

def open_db(path):
    # timeout=0: a busy database is reported at once ("database is locked"), no sleeping.
    return sqlite3.connect(path, timeout=0, isolation_level=None)

def try_read(db):
    try:
        return db.execute("SELECT count(*), coalesce(sum(v), 0) FROM t").fetchone()
    except sqlite3.OperationalError as e:
        return str(e)

def try_write(db):
    try:
        db.execute("BEGIN IMMEDIATE")
        db.execute("ROLLBACK")
        return "write lock granted"
    except sqlite3.OperationalError as e:
        return str(e)

def run(path, wal):
    to_reader_r, to_reader_w = os.pipe()
    to_writer_r, to_writer_w = os.pipe()
    sys.stdout.flush()  # the child must not inherit unwritten output
    pid = os.fork()
    if pid == 0:  # the reader
        os.close(to_reader_w); os.close(to_writer_r)
        step = lambda: os.read(to_reader_r, 1)
        done = lambda: os.write(to_writer_w, b"x")
        out = []
        step(); db = open_db(path)
        out.append(("during RESERVED: read", try_read(db)))
        out.append(("during RESERVED: write", try_write(db)))
        done(); step()
        out.append(("after COMMIT: read", try_read(db)))
        out.append(("after COMMIT: rows 10-12", db.execute(
            "SELECT k, v FROM t WHERE k BETWEEN 10 AND 12 ORDER BY k").fetchall()))
        done(); step()
        out.append(("during EXCLUSIVE: read", try_read(db)))
        done(); step()
        out.append(("after ROLLBACK: read", try_read(db)))
        db.close()
        for label, value in out:
            print(f"  reader {label}: {value}")
        sys.stdout.flush()
        done()
        os._exit(0)
    os.close(to_reader_r); os.close(to_writer_w)
    go = lambda: os.write(to_reader_w, b"x")
    wait = lambda: os.read(to_writer_r, 1)
    db = open_db(path)
    mode = db.execute("PRAGMA journal_mode=" + ("WAL" if wal else "DELETE")).fetchone()[0]
    print(f"journal_mode={mode}", flush=True)
    db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v INTEGER, s TEXT)")
    db.execute("BEGIN IMMEDIATE")  # RESERVED: readers may still read the old state
    db.executemany("INSERT INTO t VALUES (?, ?, ?)",
                   ((i, i * i, f"row {i}") for i in range(1000)))
    go(); wait()
    db.execute("COMMIT")
    go(); wait()
    # In WAL mode readers are never blocked; in rollback mode EXCLUSIVE shuts them out.
    db.execute("BEGIN EXCLUSIVE")
    db.execute("UPDATE t SET v = 0")
    go(); wait()
    db.execute("ROLLBACK")
    go(); wait()
    _, status = os.waitpid(pid, 0)
    print(f"  writer: reader exit status {status}")
    print("  writer: count and sum", db.execute("SELECT count(*), sum(v) FROM t").fetchone())
    print("  writer: integrity", db.execute("PRAGMA integrity_check").fetchone()[0])
    db.close()

d = sys.argv[1]
run(os.path.join(d, "rollback.db"), wal=False)
run(os.path.join(d, "wal.db"), wal=True)
print("files left:", sorted(f for f in os.listdir(d) if f.endswith(".db")))
EOF

native_dir=$(mktemp -d "$E2E_TMP/native.XXXXXX")
check "native: python3 sqlite3 writer + reader"
run_native sqlite /usr/bin/python3 "$prog" "$native_dir"
expect_status 0
grep -q 'during EXCLUSIVE: read: database is locked' "$OUT" ||
  { cat "$OUT" >&2; fail "the native run did not see the EXCLUSIVE lock"; }
native_out="$E2E_TMP/native.out.txt"
cp -- "$OUT" "$native_out"

check "sentry run --tmpfs /tmp: the same program in /tmp, same output"
run_sentry sqlite run --tmpfs /tmp -- /usr/bin/python3 "$prog" /tmp
expect_status 0
expect_same_files "$native_out" "$OUT" "stdout"
pass
