#!/usr/bin/env python3
# bench/run.py: runs the guest benchmarks natively, under the sentry and under
# gVisor (runsc) in one interleaved run and reports ns/op and ratios to native.
# Owner: benchmark suite (bench/). Python 3.11, standard library only.
"""Benchmark runner for sentry.

Every (case, runner) measurement is a separate process, and the loops are
interleaved (for round: for case: for runner) so that machine drift hits every
column alike; each cell is the median over rounds. A runner that does not work
is reported as "failed" in its column; only a failing native run makes the
exit status non-zero. Speed is never asserted.

Besides the Google Benchmark cases it times whole processes (/bin/true,
python3, a shell loop, tar) and measures the peak memory of the whole process
tree a runner starts (largest process by ru_maxrss, and a sampled sum of VmRSS).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import plot  # noqa: E402  (bench/plot.py, beside this file)

REPO = Path(__file__).resolve().parent.parent
BENCH_BINARIES = ["syscall_bench", "process_bench", "net_bench"]  # Under BUILD/bench/.
PEAK_RSS = "peak_rss"  # Under BUILD/bench/: spawner for the memory cases.
# Under BUILD/bench/: host-only costs of the interception mechanism (no sentry code).
MECHANISM_FLOOR = "mechanism_floor"
FLOOR_LABELS = {
    "native_getppid": "native getppid",
    "user_notif_round_trip": "user-notification round trip",
    "user_notif_round_trip_sync_wake_up": "user-notification round trip, sync wake-up",
    "process_vm_readv_256B": "process_vm_readv, 256 B",
    "process_vm_writev_144B": "process_vm_writev, 144 B",
    "sigsys_handler_round_trip": "SECCOMP_RET_TRAP to a SIGSYS handler",
    "sigsys_handler_round_trip_ptraced": "the same, the process ptraced",
}
SH_LOOP = "i=0; while [ $i -lt 200 ]; do /bin/true; i=$((i+1)); done"
# Whole-process cases: name -> (argv, run in --quick). Absolute paths of the
# distribution's programs: the sandboxes do no PATH search, and PATH may hold
# wrappers (a pyenv shim is a bash script that runs another Python).
PYTHON = "/usr/bin/python3"
WHOLE_CASES = {
    "startup /bin/true": (["/bin/true"], True),
    "python3 -c pass": ([PYTHON, "-c", "pass"], True),
    "sh loop: 200x /bin/true": (["/bin/sh", "-c", SH_LOOP], False),
    "tar cf /dev/null /usr/include": (
        ["/usr/bin/tar", "cf", "/dev/null", "/usr/include"], False),
    "gcc -c hello.c": (
        ["/usr/bin/gcc", "-c", "-o", "/dev/null", str(REPO / "bench" / "hello.c")],
        False),
    # Parallel jobs: make waits in pselect6 with SIGCHLD let in only there.
    "make -j2: 8 small files": (
        ["/usr/bin/make", "-s", "-j2", "-C", str(REPO / "bench" / "make_project")], False),
}
# Peak-memory cases: name -> argv; each gives two rows (see MEM_METRICS).
MEMORY_CASES = {
    "/bin/true": ["/bin/true"],
    "python3 -c pass": [PYTHON, "-c", "pass"],
}
MEM_METRICS = {"maxrss": "largest process (ru_maxrss)",
               "sum": "sampled tree sum (VmRSS)"}
ALL_RUNNERS = ["native", "sentry", "runsc"]
UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
MD_BEGIN = "<!-- bench-results:begin -->"
MD_END = "<!-- bench-results:end -->"


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


@dataclass
class Proc:
    rc: int | None  # None: timed out.
    stdout: str
    stderr: str
    wall_ns: int

    def why(self) -> str:
        if self.rc is None:
            return "timeout"
        # The last two lines: programs often end with a generic "exiting now"
        # after the line that says what went wrong.
        lines = [l.strip() for l in self.stderr.splitlines() if l.strip()]
        tail = " | ".join(l[:160] for l in lines[-2:])
        if self.rc < 0:
            what = f"killed by signal {-self.rc}"
        else:
            what = f"exit status {self.rc}"
        return f"{what}: {tail}" if tail else what


def run_proc(argv: list[str], timeout: float,
             env: dict[str, str] | None = None) -> Proc:
    """Runs argv in its own session; kills the whole group on timeout."""
    start = time.perf_counter_ns()
    try:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=env, start_new_session=True, text=True,
                             errors="replace")
    except OSError as e:
        return Proc(127, "", f"cannot start {argv[0]}: {e}", 0)
    try:
        out, err = p.communicate(timeout=timeout)
        wall = time.perf_counter_ns() - start
        return Proc(p.returncode, out, err, wall)
    except subprocess.TimeoutExpired:
        kill_group(p)
        out, err = p.communicate()
        return Proc(None, out, err, time.perf_counter_ns() - start)
    except BaseException:
        kill_group(p)
        p.wait()
        raise


def kill_group(p: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL, to the process group of p (which we started)."""
    for sig, grace in ((signal.SIGTERM, 2.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(p.pid, sig)
        except ProcessLookupError:
            return
        try:
            p.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def resolve_argv(argv: list[str]) -> list[str] | None:
    """Returns argv if its program and its absolute-path arguments exist."""
    if not os.access(argv[0], os.X_OK):
        return None
    paths = [a for a in argv[1:] if a.startswith("/")]
    return argv if all(os.path.exists(a) for a in paths) else None


class TreeSampler:
    """Sums VmRSS over all descendants of one pid, sampled by polling /proc.

    /proc/PID/task/*/children needs CONFIG_PROC_CHILDREN, which many kernels
    lack, so new pids are found by listing /proc and reading each new pid's
    parent once (pids that existed before the spawn are skipped up front).
    """

    def __init__(self, preexisting: set[int]):
        self.known = set(preexisting)  # Classified pids (member or not).
        self.members: set[int] = set()
        self.root = -1

    def start(self, root: int) -> None:
        self.root = root
        self.known.add(root)

    @staticmethod
    def pids() -> set[int]:
        return {int(n) for n in os.listdir("/proc") if n.isdigit()}

    @staticmethod
    def _ppid(pid: int) -> int | None:
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                stat = f.read()
            return int(stat[stat.rindex(b")") + 2:].split()[1])
        except (OSError, ValueError, IndexError):
            return None

    @staticmethod
    def _rss_kib(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/status", "rb") as f:
                for line in f:
                    if line.startswith(b"VmRSS:"):
                        return int(line.split()[1])
        except (OSError, ValueError, IndexError):
            pass
        return 0  # Gone, a zombie, or a kernel thread.

    def sample(self) -> int:
        """Returns the summed VmRSS (KiB) of the root's descendants now."""
        for pid in sorted(self.pids() - self.known):  # Parents first, mostly.
            self.known.add(pid)
            ppid = self._ppid(pid)
            if ppid == self.root or ppid in self.members:
                self.members.add(pid)
        return sum(self._rss_kib(p) for p in self.members)


@dataclass
class MemRun:
    status: int | None  # Wait status of peak_rss (None: timed out).
    maxrss_kib: int | None
    sum_kib: int
    stderr: str
    samples: int

    def why(self) -> str:
        return Proc(None if self.status is None else
                    os.waitstatus_to_exitcode(self.status), "", self.stderr,
                    0).why()


def measure_memory(helper: Path, argv: list[str], env: dict[str, str] | None,
                   timeout: float, interval: float) -> MemRun:
    """Runs argv under the peak_rss spawner while sampling its process tree.

    peak_rss (not this process) is the parent of argv, so that ru_maxrss is
    not inflated by our own RSS, and it is excluded from the sampled sum.
    """
    sampler = TreeSampler(TreeSampler.pids())
    rfd, wfd = os.pipe()
    efd_r, efd_w = os.pipe()
    os.set_blocking(efd_r, False)
    os.set_inheritable(wfd, True)
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        pid = os.posix_spawn(
            str(helper), [str(helper), str(wfd)] + argv,
            os.environ if env is None else env, setsid=True,
            file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 0),
                          (os.POSIX_SPAWN_DUP2, devnull, 1),
                          (os.POSIX_SPAWN_DUP2, efd_w, 2)])
    except OSError as e:
        for fd in (rfd, wfd, efd_r, efd_w, devnull):
            os.close(fd)
        return MemRun(127 << 8, None, 0, f"cannot start {helper}: {e}", 0)
    for fd in (wfd, efd_w, devnull):
        os.close(fd)
    sampler.start(pid)
    err = bytearray()

    def drain() -> None:
        try:
            while chunk := os.read(efd_r, 65536):
                err.extend(chunk)
                del err[:-8192]
        except BlockingIOError:
            pass

    peak, n, status = 0, 0, None
    deadline = time.monotonic() + timeout
    try:
        while True:
            peak = max(peak, sampler.sample())
            n += 1
            drain()
            wpid, st = os.waitpid(pid, os.WNOHANG)
            if wpid == pid:
                status = st
                break
            if time.monotonic() > deadline:
                break
            time.sleep(interval)
    finally:
        if status is None:  # Timeout or interrupt: kill what we started.
            for target in [pid] + sorted(sampler.members):
                try:
                    if target == pid:
                        os.killpg(pid, signal.SIGKILL)
                    else:
                        os.kill(target, signal.SIGKILL)
                except OSError:
                    pass
            os.waitpid(pid, 0)
        drain()
        result = b""
        while chunk := os.read(rfd, 4096):
            result += chunk
        os.close(rfd)
        os.close(efd_r)
    m = re.search(rb"maxrss_kib=(\d+)", result)
    return MemRun(status, int(m.group(1)) if m else None, peak,
                  err.decode(errors="replace"), n)


@dataclass
class Runner:
    name: str
    prefix: list[str]
    env: dict[str, str] | None = None
    failed: str | None = None  # Set when the whole column is unusable.
    version: str = ""


@dataclass
class Results:
    # samples[case][runner] -> list of ns; errors[case][runner] -> reason.
    samples: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    errors: dict[str, dict[str, str]] = field(default_factory=dict)
    cases: list[str] = field(default_factory=list)

    def add(self, case: str, runner: str, ns: float) -> None:
        self.samples.setdefault(case, {}).setdefault(runner, []).append(ns)

    def fail(self, case: str, runner: str, why: str) -> None:
        self.errors.setdefault(case, {}).setdefault(runner, why)

    def failed(self, case: str, runner: str) -> bool:
        return runner in self.errors.get(case, {})

    def median(self, case: str, runner: str) -> float | None:
        if self.failed(case, runner):
            return None
        s = self.samples.get(case, {}).get(runner)
        return statistics.median(s) if s else None


def find_sentry(build: Path, explicit: str | None) -> Path | None:
    if explicit:
        return Path(explicit)
    for cand in (build / "sentry", build / "launcher" / "sentry",
                 build / "sentry" / "sentry", build / "bin" / "sentry"):
        if cand.is_file() and os.access(cand, os.X_OK):
            return cand
    return None


def make_runners(names: list[str], args: argparse.Namespace,
                 runsc_root: Path) -> list[Runner]:
    runners = []
    for name in names:
        if name == "native":
            runners.append(Runner("native", []))
        elif name == "sentry":
            path = find_sentry(args.build, args.sentry)
            r = Runner("sentry", [str(path) if path else "sentry", "run", "--"])
            if path is None:
                r.failed = f"no sentry binary under {args.build}"
            runners.append(r)
        elif name == "runsc":
            exe = shutil.which(args.runsc)
            # `runsc do` puts its bundle in $TMPDIR; keep it inside our root
            # dir so that nothing is left behind even after a timeout kill.
            env = dict(os.environ, TMPDIR=str(runsc_root / "tmp"))
            r = Runner("runsc", [exe or args.runsc, "--root", str(runsc_root),
                                 "--platform=ptrace", "--network=none", "do"],
                       env=env)
            if exe is None:
                r.failed = f"{args.runsc} not found (scripts/setup.sh --bench)"
            else:
                v = run_proc([exe, "--version"], 10)
                r.version = (v.stdout.splitlines() or [""])[0]
            runners.append(r)
        else:
            sys.exit(f"unknown runner {name!r}; choose from {ALL_RUNNERS}")
    return runners


def preflight(r: Runner, timeout: float) -> None:
    """Marks a non-native runner failed if it cannot even run /bin/true."""
    if r.failed or r.name == "native":
        return
    p = run_proc(r.prefix + ["/bin/true"], timeout, r.env)
    if p.rc != 0:
        r.failed = f"/bin/true under {r.name}: {p.why()}"


def list_cases(binary: Path, timeout: float, pattern: str | None) -> list[str]:
    p = run_proc([str(binary), "--benchmark_list_tests"], timeout)
    if p.rc != 0:
        raise RuntimeError(f"{binary} --benchmark_list_tests: {p.why()}")
    names = [l.strip() for l in p.stdout.splitlines() if l.strip()]
    if pattern:
        names = [n for n in names if re.search(pattern, n)]
    return names


def parse_bench_json(text: str) -> dict[str, tuple[float | None, str | None]]:
    """Returns name -> (real ns/op, error) from --benchmark_format=json."""
    start = text.find("{")
    if start < 0:
        raise ValueError("no JSON on stdout")
    doc, _ = json.JSONDecoder().raw_decode(text[start:])
    out = {}
    for b in doc.get("benchmarks", []):
        if b.get("run_type") == "aggregate":
            continue
        name = b["name"]
        if b.get("error_occurred"):
            out[name] = (None, b.get("error_message", "error"))
            continue
        factor = UNIT_NS[b.get("time_unit", "ns")]
        out[name] = (float(b["real_time"]) * factor, None)
    return out


def display(case: str) -> str:
    return case.removesuffix("/real_time")


def run_bench_case(r: Runner, binary: Path, case: str, res: Results,
                   min_time: float, timeout: float, verbose: bool) -> None:
    argv = r.prefix + [str(binary), f"--benchmark_filter=^{re.escape(case)}$",
                       "--benchmark_format=json",
                       f"--benchmark_min_time={min_time:g}"]
    p = run_proc(argv, timeout, r.env)
    key = display(case)
    if p.rc is None:
        # A hang is most likely systemic: stop using this runner at all.
        r.failed = f"{key}: timeout after {timeout:g}s"
        res.fail(key, r.name, "timeout")
        return
    if p.rc != 0:
        res.fail(key, r.name, p.why())
        return
    try:
        parsed = parse_bench_json(p.stdout)
    except (ValueError, KeyError) as e:
        res.fail(key, r.name, f"bad output: {e}")
        return
    if case not in parsed:
        res.fail(key, r.name, "case missing from output")
        return
    ns, err = parsed[case]
    if err is not None:
        res.fail(key, r.name, err)
        return
    res.add(key, r.name, ns)
    if verbose:
        log(f"  {r.name:7s} {key:24s} {ns:14,.1f} ns")


def run_startup_case(r: Runner, case: str, argv: list[str], res: Results,
                     timeout: float, verbose: bool) -> None:
    p = run_proc(r.prefix + argv, timeout, r.env)
    if p.rc is None:
        r.failed = f"{case}: timeout after {timeout:g}s"
        res.fail(case, r.name, "timeout")
    elif p.rc != 0:
        res.fail(case, r.name, p.why())
    else:
        res.add(case, r.name, float(p.wall_ns))
        if verbose:
            log(f"  {r.name:7s} {case:24s} {p.wall_ns:14,d} ns")


def mem_key(case: str, metric: str) -> str:
    return f"{case}: {MEM_METRICS[metric]}"


def run_memory_case(r: Runner, helper: Path, case: str, argv: list[str],
                    mem: Results, timeout: float, interval: float,
                    verbose: bool) -> None:
    m = measure_memory(helper, r.prefix + argv, r.env, timeout, interval)
    keys = [mem_key(case, k) for k in MEM_METRICS]
    if m.status is None:
        r.failed = f"memory {case}: timeout after {timeout:g}s"
    if m.status is None or m.status != 0 or m.maxrss_kib is None:
        why = m.why() if m.status != 0 else "peak_rss reported nothing"
        for k in keys:
            mem.fail(k, r.name, why)
        return
    mem.add(keys[0], r.name, float(m.maxrss_kib))
    mem.add(keys[1], r.name, float(m.sum_kib))
    if verbose:
        log(f"  {r.name:7s} mem {case:20s} maxrss {m.maxrss_kib:,d} KiB, "
            f"sum {m.sum_kib:,d} KiB ({m.samples} samples)")


def cell(res: Results, case: str, runner: Runner) -> str:
    if res.failed(case, runner.name):
        return "failed"
    m = res.median(case, runner.name)
    if m is None:
        return "failed" if runner.failed else "-"
    if m == 0 and case.endswith(MEM_METRICS["sum"]):
        return "not seen"  # The tree exited before the first sample found it.
    return f"{m:,.0f}" if m >= 100 else f"{m:,.1f}"


def ratio(res: Results, case: str, runner: Runner) -> str:
    m = res.median(case, runner.name)
    n = res.median(case, "native")
    if m is None or n is None or n <= 0:
        return "-"
    q = m / n
    return f"{q:,.2f}x" if q < 10 else f"{q:,.0f}x"


def table_rows(res: Results, runners: list[Runner], unit: str = "ns/op"
               ) -> tuple[list[str], list[list[str]]]:
    others = [r for r in runners if r.name != "native"]
    has_native = any(r.name == "native" for r in runners)
    header = ["case"] + [f"{r.name} {unit}" for r in runners]
    if has_native:
        header += [f"{r.name}/native" for r in others]
    rows = []
    for case in res.cases:
        row = [case] + [cell(res, case, r) for r in runners]
        if has_native:
            row += [ratio(res, case, r) for r in others]
        rows.append(row)
    return header, rows


def format_text_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(x) for x in col) for col in zip(header, *rows)]
    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([line(header), line(["-" * w for w in widths])] +
                     [line(r) for r in rows])


def failure_notes(res: Results, runners: list[Runner],
                  mem: Results | None = None) -> list[str]:
    notes = [f"{r.name}: {r.failed}" for r in runners if r.failed]
    for rs in (res, mem) if mem else (res,):
        for case in rs.cases:
            for name, why in rs.errors.get(case, {}).items():
                notes.append(f"{name} / {case}: {why}")
    return notes


def machine_info() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "kernel": os.uname().release,
        "cpu": cpu,
        "nproc": str(len(os.sched_getaffinity(0))),
        "date": datetime.datetime.now().astimezone().strftime(
            "%Y-%m-%d %H:%M %Z"),
        "host": os.uname().nodename,
    }


def markdown_table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
    return out + ["| " + " | ".join(row) + " |" for row in rows]


def run_floor(binary: Path, floor: dict[str, list[float]], timeout: float) -> None:
    """One run of the mechanism-floor program; adds its ns/op lines to `floor`."""
    p = run_proc([str(binary)], timeout)
    if p.rc != 0:
        log(f"run.py: {binary.name}: {p.why()}")
        return
    for line in p.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in FLOOR_LABELS:
            ns = float(parts[1])
            if ns > 0:
                floor.setdefault(parts[0], []).append(ns)


def floor_rows(floor: dict[str, list[float]]) -> list[list[str]]:
    return [[FLOOR_LABELS[k], f"{statistics.median(v):,.0f}"]
            for k, v in floor.items()]


def markdown(res: Results, mem: Results, runners: list[Runner],
             info: dict[str, str], cfg: dict,
             floor: dict[str, list[float]] | None = None) -> str:
    header, rows = table_rows(res, runners)
    out = [f"Measured {info['date']} on `{info['host']}`: kernel "
           f"`{info['kernel']}`, {info['cpu']}, {info['nproc']} CPUs.",
           f"Rounds: {cfg['rounds']}, `--benchmark_min_time={cfg['min_time']:g}`"
           f", {cfg['true_runs']} runs of each whole-process case and "
           f"{cfg['mem_runs']} of each memory case per round"
           + (f", pinned to CPUs {cfg['cpus']}" if cfg.get("cpus") else "")
           + ". Cells are medians of wall-clock ns per operation (whole-process"
           " cases: per run).", ""]
    vers = [f"{r.name} ({r.version})" if r.version else r.name for r in runners]
    out.append("Runners: " + ", ".join(vers) + ".")
    out.append("")
    out.extend(markdown_table(header, rows))
    if mem.cases:
        out.append("")
        out.append("Peak memory of the whole process tree, KiB (medians; see "
                   "\"Memory\" above for what the two rows mean):")
        out.append("")
        out.extend(markdown_table(*table_rows(mem, runners, "KiB")))
    if floor:
        out.append("")
        out.append("The floor under every trapped call on this machine, measured with no "
                   "sentry code (`bench/mechanism_floor.cc`; medians, ns per operation):")
        out.append("")
        out.extend(markdown_table(["mechanism", "per operation"], floor_rows(floor)))
    notes = failure_notes(res, runners, mem)
    if notes:
        out.append("")
        out.append("Failures:")
        out.extend(f"- {n}" for n in notes)
    return "\n".join(out) + "\n"


def write_markdown(path: Path, body: str) -> None:
    """Fills the marked Results section of an existing file, else writes it."""
    if path.exists():
        text = path.read_text()
        b, e = text.find(MD_BEGIN), text.find(MD_END)
        if 0 <= b < e:
            text = text[:b + len(MD_BEGIN)] + "\n" + body + text[e:]
            path.write_text(text)
            return
    path.write_text("## Results\n\n" + body)


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--require", action="append", default=[],
                    help="fail (exit 1) unless this runner ran every case "
                         "(repeatable; CI uses --require sentry)")
    ap.add_argument("--quick", action="store_true",
                    help="CI mode: one round, tiny min time; proves the "
                    "benchmarks run (non-zero exit only if native fails)")
    ap.add_argument("--build", type=Path, default=REPO / "build",
                    help="build directory (default: %(default)s)")
    ap.add_argument("--rounds", type=int, help="rounds (default 5; quick 1)")
    ap.add_argument("--runners", default=",".join(ALL_RUNNERS),
                    help="comma-separated subset of %(default)s")
    ap.add_argument("--min-time", type=float,
                    help="--benchmark_min_time seconds (default 0.2; quick 0.01)")
    ap.add_argument("--true-runs", type=int,
                    help="runs of each whole-process case per runner per round"
                    " (default 5; quick 2)")
    ap.add_argument("--mem-runs", type=int,
                    help="runs of each memory case per runner per round "
                    "(default 3; quick 1)")
    ap.add_argument("--mem-interval", type=float, default=0.002,
                    help="seconds between process-tree RSS samples "
                    "(default %(default)s)")
    ap.add_argument("--timeout", type=float,
                    help="seconds per process (default 120; quick 30)")
    ap.add_argument("--filter", help="regex selecting cases (benchmark, "
                    "whole-process and memory cases alike)")
    ap.add_argument("--no-startup", action="store_true",
                    help="skip whole-process cases")
    ap.add_argument("--no-memory", action="store_true",
                    help="skip peak-memory cases")
    ap.add_argument("--cpus", help="pin everything to these CPUs, e.g. 0 or 0,1")
    ap.add_argument("--sentry", help="sentry binary (default: found under BUILD)")
    ap.add_argument("--runsc", default="runsc", help="runsc binary")
    ap.add_argument("--out", type=Path, help="write raw results as JSON")
    ap.add_argument("--markdown", type=Path,
                    help="write a Markdown results table (fills the marked "
                    "Results section if FILE has one, e.g. bench/README.md)")
    ap.add_argument("--plot", type=Path,
                    help="draw the ratios to native as a PNG (needs gnuplot)")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    a.build = a.build.resolve()
    q = a.quick
    a.rounds = a.rounds or (1 if q else 5)
    a.min_time = a.min_time if a.min_time is not None else (0.01 if q else 0.2)
    a.true_runs = a.true_runs if a.true_runs is not None else (2 if q else 5)
    a.mem_runs = a.mem_runs if a.mem_runs is not None else (1 if q else 3)
    a.timeout = a.timeout or (30.0 if q else 120.0)
    return a


def main() -> int:
    args = parse_args()
    if args.cpus:
        os.sched_setaffinity(0, {int(c) for c in args.cpus.split(",")})
    names = [n.strip() for n in args.runners.split(",") if n.strip()]
    binaries = [args.build / "bench" / b for b in BENCH_BINARIES]
    for b in binaries:
        if not b.is_file():
            log(f"run.py: {b} not found; build it with\n  cmake --build "
                f"{args.build} --target {b.name}")
            return 2

    runsc_root = Path(f"/tmp/runsc-bench-{os.getpid()}")
    try:
        if "runsc" in names:
            (runsc_root / "tmp").mkdir(parents=True, exist_ok=True)
        return run_all(args, names, binaries, runsc_root)
    finally:
        shutil.rmtree(runsc_root, ignore_errors=True)


def run_all(args: argparse.Namespace, names: list[str], binaries: list[Path],
            runsc_root: Path) -> int:
    runners = make_runners(names, args, runsc_root)
    for r in runners:
        preflight(r, min(args.timeout, 30.0))
        if r.failed:
            log(f"run.py: runner {r.name} unusable: {r.failed}")

    res = Results()
    native_broken = None
    bench_cases: list[tuple[Path, str]] = []
    for b in binaries:
        try:
            for c in list_cases(b, args.timeout, args.filter):
                bench_cases.append((b, c))
                res.cases.append(display(c))
        except RuntimeError as e:
            native_broken = str(e)
            log(f"run.py: {e}")

    def wanted(case: str) -> bool:
        return not args.filter or re.search(args.filter, case) is not None

    # Whole-process cases; --quick keeps only the cheap ones.
    startup: dict[str, list[str]] = {}
    for case, (argv, in_quick) in ({} if args.no_startup else WHOLE_CASES).items():
        if not wanted(case) or (args.quick and not in_quick):
            continue
        full = resolve_argv(argv)
        if full is None:
            log(f"run.py: skipping {case!r}: a path in {argv} is missing")
            continue
        startup[case] = full
    res.cases.extend(startup)

    # Peak-memory cases: need the peak_rss spawner from the build.
    mem = Results()
    memory: dict[str, list[str]] = {}
    helper = args.build / "bench" / PEAK_RSS
    if not args.no_memory:
        for case, argv in MEMORY_CASES.items():
            full = resolve_argv(argv)
            if not any(wanted(mem_key(case, k)) for k in MEM_METRICS):
                continue
            if full is None:
                log(f"run.py: skipping memory {case!r}: {argv[0]} missing")
            elif not helper.is_file():
                log(f"run.py: skipping memory {case!r}: {helper} not built "
                    f"(cmake --build {args.build} --target {PEAK_RSS})")
            else:
                memory[case] = full
                mem.cases.extend(mem_key(case, k) for k in MEM_METRICS)

    floor_bin = args.build / "bench" / MECHANISM_FLOOR
    floor: dict[str, list[float]] = {}
    t0 = time.monotonic()
    for rnd in range(args.rounds):
        log(f"run.py: round {rnd + 1}/{args.rounds} "
            f"({time.monotonic() - t0:.0f}s elapsed)")
        if "native" in names and floor_bin.is_file() and not args.filter:
            run_floor(floor_bin, floor, args.timeout)
        for binary, case in bench_cases:
            for r in runners:
                if r.failed or res.failed(display(case), r.name):
                    continue
                run_bench_case(r, binary, case, res, args.min_time,
                               args.timeout, args.verbose)
        for case, argv in startup.items():
            for _ in range(args.true_runs):
                for r in runners:
                    if r.failed or res.failed(case, r.name):
                        continue
                    run_startup_case(r, case, argv, res, args.timeout,
                                     args.verbose)
        for case, argv in memory.items():
            for _ in range(args.mem_runs):
                for r in runners:
                    if r.failed or mem.failed(mem_key(case, "maxrss"), r.name):
                        continue
                    run_memory_case(r, helper, case, argv, mem, args.timeout,
                                    args.mem_interval, args.verbose)

    header, rows = table_rows(res, runners)
    print(format_text_table(header, rows))
    if mem.cases:
        print("\npeak memory of the process tree, KiB (median):")
        print(format_text_table(*table_rows(mem, runners, "KiB")))
    if floor:
        print("\nmechanism floor, no sentry code (median):")
        print(format_text_table(["mechanism", "per op"], floor_rows(floor)))
    notes = failure_notes(res, runners, mem)
    if notes:
        print("\nfailures:")
        for n in notes:
            print(f"  {n}")

    info = machine_info()
    cfg = {"rounds": args.rounds, "min_time": args.min_time,
           "true_runs": args.true_runs, "mem_runs": args.mem_runs,
           "mem_interval": args.mem_interval, "cpus": args.cpus,
           "quick": args.quick}
    if args.out or args.plot:
        doc = {
            "machine": info, "config": cfg,
            "runners": {r.name: {"command": r.prefix, "version": r.version,
                                 "failed": r.failed} for r in runners},
            "cases": {c: {r.name: {"median_ns": res.median(c, r.name),
                                   "samples_ns": res.samples.get(c, {}).get(
                                       r.name, []),
                                   "error": res.errors.get(c, {}).get(r.name)}
                          for r in runners} for c in res.cases},
            "whole_process_argv": startup,
            "mechanism_floor_ns": {k: statistics.median(v) for k, v in floor.items()},
            "memory_kib": {c: {r.name: {"median_kib": mem.median(c, r.name),
                                        "samples_kib": mem.samples.get(
                                            c, {}).get(r.name, []),
                                        "error": mem.errors.get(c, {}).get(
                                            r.name)}
                               for r in runners} for c in mem.cases},
        }
        if args.out:
            args.out.write_text(json.dumps(doc, indent=2) + "\n")
        if args.plot:
            why = plot.write_plot(doc, args.plot)
            log(f"run.py: plot not written: {why}" if why
                else f"run.py: wrote {args.plot}")
    if args.markdown:
        write_markdown(args.markdown, markdown(res, mem, runners, info, cfg, floor))

    if "native" in names:
        for rs in (res, mem):
            for case in rs.cases:
                if rs.median(case, "native") is None:
                    native_broken = native_broken or f"native {case} failed"
    if native_broken:
        log(f"run.py: FAIL: {native_broken}")
        return 1
    # --require RUNNER: CI proves that the benchmarks still run under that runner too.
    for name in args.require:
        r = next((r for r in runners if r.name == name), None)
        if r is None or r.failed:
            log(f"run.py: FAIL: required runner {name} unusable")
            return 1
        for rs in (res, mem):
            for case in rs.cases:
                if rs.median(case, name) is None:
                    log(f"run.py: FAIL: required runner {name} failed {case}")
                    return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
