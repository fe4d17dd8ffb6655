// Tests of the generated guest filter: a small classic-BPF interpreter checks every table entry,
// and forked children run under the real filter with a user-notification listener.
// Owned by the sentry; single-threaded gtest (children are forked and always reaped).
#include "sentry/seccomp_filter.h"

#include <asm/unistd_64.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <optional>
#include <vector>

#include "common/unique_fd.h"
#include "gtest/gtest.h"
#include "sentry/syscall_table.h"

namespace sentry {
namespace {

constexpr uint32_t kX32Bit = 0x40000000;

// ---- a classic-BPF interpreter, enough for libseccomp's output ----------------------------

// Runs `prog` on `data`; nullopt when the program does something this interpreter does not
// know (the test then fails) or runs off its end.
std::optional<uint32_t> RunFilter(const std::vector<sock_filter>& prog, const seccomp_data& data) {
  uint32_t a = 0, x = 0;
  uint32_t mem[BPF_MEMWORDS] = {};
  const auto* bytes = reinterpret_cast<const uint8_t*>(&data);
  for (size_t pc = 0; pc < prog.size(); ++pc) {
    const sock_filter& in = prog[pc];
    switch (in.code) {
      case BPF_LD | BPF_W | BPF_ABS:
        if (in.k % 4 != 0 || in.k + 4 > sizeof(data)) return std::nullopt;
        memcpy(&a, bytes + in.k, 4);
        break;
      case BPF_LD | BPF_IMM:
        a = in.k;
        break;
      case BPF_LDX | BPF_IMM:
        x = in.k;
        break;
      case BPF_LD | BPF_MEM:
        if (in.k >= BPF_MEMWORDS) return std::nullopt;
        a = mem[in.k];
        break;
      case BPF_LDX | BPF_MEM:
        if (in.k >= BPF_MEMWORDS) return std::nullopt;
        x = mem[in.k];
        break;
      case BPF_ST:
        if (in.k >= BPF_MEMWORDS) return std::nullopt;
        mem[in.k] = a;
        break;
      case BPF_STX:
        if (in.k >= BPF_MEMWORDS) return std::nullopt;
        mem[in.k] = x;
        break;
      case BPF_ALU | BPF_AND | BPF_K:
        a &= in.k;
        break;
      case BPF_ALU | BPF_OR | BPF_K:
        a |= in.k;
        break;
      case BPF_MISC | BPF_TAX:
        x = a;
        break;
      case BPF_MISC | BPF_TXA:
        a = x;
        break;
      case BPF_JMP | BPF_JA:
        pc += in.k;
        break;
      case BPF_JMP | BPF_JEQ | BPF_K:
        pc += (a == in.k) ? in.jt : in.jf;
        break;
      case BPF_JMP | BPF_JGT | BPF_K:
        pc += (a > in.k) ? in.jt : in.jf;
        break;
      case BPF_JMP | BPF_JGE | BPF_K:
        pc += (a >= in.k) ? in.jt : in.jf;
        break;
      case BPF_JMP | BPF_JSET | BPF_K:
        pc += (a & in.k) ? in.jt : in.jf;
        break;
      case BPF_JMP | BPF_JEQ | BPF_X:
        pc += (a == x) ? in.jt : in.jf;
        break;
      case BPF_JMP | BPF_JGT | BPF_X:
        pc += (a > x) ? in.jt : in.jf;
        break;
      case BPF_JMP | BPF_JGE | BPF_X:
        pc += (a >= x) ? in.jt : in.jf;
        break;
      case BPF_RET | BPF_K:
        return in.k;
      case BPF_RET | BPF_A:
        return a;
      default:
        ADD_FAILURE() << "unknown BPF opcode " << in.code << " at " << pc;
        return std::nullopt;
    }
  }
  return std::nullopt;
}

seccomp_data Data(uint32_t nr, std::initializer_list<uint64_t> args = {},
                  uint32_t arch = AUDIT_ARCH_X86_64) {
  seccomp_data d = {};
  d.nr = static_cast<int>(nr);
  d.arch = arch;
  d.instruction_pointer = 0x401000;
  int i = 0;
  for (uint64_t v : args) d.args[i++] = v;
  return d;
}

class GuestFilterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto f = BuildGuestFilter();
    ASSERT_TRUE(f.ok()) << f.status();
    filter_ = new std::vector<sock_filter>(std::move(*f));
  }
  static void TearDownTestSuite() {
    delete filter_;
    filter_ = nullptr;
  }
  uint32_t Run(const seccomp_data& d) {
    std::optional<uint32_t> r = RunFilter(*filter_, d);
    EXPECT_TRUE(r.has_value()) << "filter fell off its end for nr " << d.nr;
    return r.value_or(0xdeadbeef);
  }
  static std::vector<sock_filter>* filter_;
};
std::vector<sock_filter>* GuestFilterTest::filter_ = nullptr;

TEST_F(GuestFilterTest, SizeIsSane) {
  EXPECT_GT(filter_->size(), 10u);
  EXPECT_LE(filter_->size(), static_cast<size_t>(BPF_MAXINSNS));
  RecordProperty("instructions", static_cast<int>(filter_->size()));
}

TEST_F(GuestFilterTest, EveryEntryGetsItsAction) {
  for (int nr = 0; nr <= kMaxSyscall + 200; ++nr) {
    const SyscallEntry* e = LookupSyscall(nr);
    uint32_t got = Run(Data(static_cast<uint32_t>(nr)));
    if (e == nullptr) {
      EXPECT_EQ(got, SECCOMP_RET_USER_NOTIF) << "unassigned " << nr;
      continue;
    }
    SCOPED_TRACE(e->name);
    switch (e->action) {
      case SyscallAction::kEmulate:
      case SyscallAction::kUnsupported:
        EXPECT_EQ(got, SECCOMP_RET_USER_NOTIF);
        break;
      case SyscallAction::kTrace:
        EXPECT_EQ(got, SECCOMP_RET_TRACE);
        break;
      case SyscallAction::kRefuse:
        EXPECT_EQ(got, SECCOMP_RET_ERRNO | static_cast<uint32_t>(e->refuse_errno));
        break;
      case SyscallAction::kPassthrough: {
        bool unconditional = false;
        for (int r = 0; r < e->nrules; ++r) {
          unconditional = unconditional || e->rules[r][0].op == ArgCheck::Op::kNone;
        }
        if (unconditional) {
          EXPECT_EQ(got, SECCOMP_RET_ALLOW);
        }
        break;
      }
    }
  }
}

TEST_F(GuestFilterTest, MmapOnlyAnonymousPasses) {
  const uint64_t kAnon = MAP_PRIVATE | MAP_ANONYMOUS;
  EXPECT_EQ(Run(Data(__NR_mmap, {0, 4096, PROT_READ, kAnon, ~0ull, 0})), SECCOMP_RET_ALLOW);
  EXPECT_EQ(Run(Data(__NR_mmap, {0, 4096, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, ~0ull, 0})),
            SECCOMP_RET_ALLOW);
  EXPECT_EQ(Run(Data(__NR_mmap, {0, 4096, PROT_READ, MAP_PRIVATE, 3, 0})), SECCOMP_RET_USER_NOTIF);
  EXPECT_EQ(Run(Data(__NR_mmap, {0, 4096, PROT_READ, MAP_SHARED | MAP_FIXED, 3, 0})),
            SECCOMP_RET_USER_NOTIF);
  // High bits do not hide the missing flag.
  EXPECT_EQ(Run(Data(__NR_mmap, {0, 4096, PROT_READ, 0xffffffff00000002ull, 3, 0})),
            SECCOMP_RET_USER_NOTIF);
}

TEST_F(GuestFilterTest, ArchPrctlOnlyFsPasses) {
  EXPECT_EQ(Run(Data(__NR_arch_prctl, {0x1002, 0x1234})), SECCOMP_RET_ALLOW);       // SET_FS
  EXPECT_EQ(Run(Data(__NR_arch_prctl, {0x1003, 0x1234})), SECCOMP_RET_ALLOW);       // GET_FS
  EXPECT_EQ(Run(Data(__NR_arch_prctl, {0x1001, 0x1234})), SECCOMP_RET_USER_NOTIF);  // SET_GS
  EXPECT_EQ(Run(Data(__NR_arch_prctl, {0x1011, 0})), SECCOMP_RET_USER_NOTIF);       // GET_CPUID
  EXPECT_EQ(Run(Data(__NR_arch_prctl, {0x100000000ull | 0x1002, 0})), SECCOMP_RET_USER_NOTIF);
}

TEST_F(GuestFilterTest, OtherAbisAreKilled) {
  EXPECT_EQ(Run(Data(__NR_getpid | kX32Bit)), SECCOMP_RET_KILL_PROCESS);
  EXPECT_EQ(Run(Data(__NR_openat | kX32Bit)), SECCOMP_RET_KILL_PROCESS);
  EXPECT_EQ(Run(Data(__NR_mmap | kX32Bit, {0, 4096, 3, MAP_PRIVATE | MAP_ANONYMOUS})),
            SECCOMP_RET_KILL_PROCESS);
  EXPECT_EQ(Run(Data(20, {}, AUDIT_ARCH_I386)), SECCOMP_RET_KILL_PROCESS);
  EXPECT_EQ(Run(Data(__NR_getpid, {}, AUDIT_ARCH_AARCH64)), SECCOMP_RET_KILL_PROCESS);
  // Negative numbers (seen with a ptracer's "skip" convention) are not allowed either.
  uint32_t neg = Run(Data(0xffffffffu));
  EXPECT_NE(neg, SECCOMP_RET_ALLOW);
}

TEST(PassthroughSyscallsTest, ListsTheAllowlist) {
  std::vector<int> pass = PassthroughSyscalls();
  EXPECT_LE(pass.size(), 35u);
  for (int nr : pass) EXPECT_EQ(LookupSyscall(nr)->action, SyscallAction::kPassthrough);
  auto has = [&](int nr) { return std::find(pass.begin(), pass.end(), nr) != pass.end(); };
  EXPECT_TRUE(has(__NR_kill));
  EXPECT_FALSE(has(__NR_getpid));  // answered by the sentry (it knows the guest's pid)
  EXPECT_TRUE(has(__NR_mmap));
  EXPECT_TRUE(has(__NR_futex));
  EXPECT_FALSE(has(__NR_openat));
  EXPECT_FALSE(has(__NR_execve));
}

// ---- real children under the filter ------------------------------------------------------

using Clock = std::chrono::steady_clock;
constexpr auto kTimeout = std::chrono::seconds(10);

// Results the child writes into shared memory (no syscalls needed to report them).
enum Probe {
  kGetpid,
  kMmapAnon,
  kMmapFile,
  kOpenat,
  kArchGetFs,
  kArchGetGs,
  kBpf,
  kPtrace,
  kIoUring,
  kUnshare,
  kMseal,
  kExecve,
  kNumProbes
};

struct Shared {
  std::atomic<int> listener{-1000};  // the child's listener fd, or -errno
  std::atomic<int> done{0};
  int64_t ret[kNumProbes];
  int err[kNumProbes];
};

// Kills and reaps a child when the test ends, however it ends.
class ChildGuard {
 public:
  explicit ChildGuard(pid_t pid) : pid_(pid) {}
  ~ChildGuard() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  // Waits (bounded) for the child to exit; returns its wait status or -1 on timeout.
  int Wait() {
    auto deadline = Clock::now() + kTimeout;
    while (Clock::now() < deadline) {
      int status;
      pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        pid_ = -1;
        return status;
      }
      usleep(1000);
    }
    return -1;
  }

 private:
  pid_t pid_;
};

long InstallFilter(const std::vector<sock_filter>& filter, unsigned int flags) {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -errno;
  sock_fprog prog{static_cast<unsigned short>(filter.size()),
                  const_cast<sock_filter*>(filter.data())};
  long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
  return fd < 0 ? -errno : fd;
}

void NoCoreDumps() {
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  rlimit zero = {0, 0};
  setrlimit(RLIMIT_CORE, &zero);
}

// Runs in the forked child: every syscall after the filter is installed is a raw syscall(2)
// so that nothing unexpected traps, and results go to shared memory.
[[noreturn]] void ProbeChild(Shared* sh, const std::vector<sock_filter>& filter, int file_fd) {
  NoCoreDumps();
  pid_t self = getpid();
  long fd = InstallFilter(filter, SECCOMP_FILTER_FLAG_NEW_LISTENER);
  sh->listener.store(static_cast<int>(fd));
  if (fd < 0) _exit(2);
  auto record = [sh](Probe p, long r) {
    sh->ret[p] = r;
    sh->err[p] = r < 0 ? errno : 0;
  };
  record(kGetpid, syscall(SYS_kill, self, 0));  // a passthrough probe
  record(kMmapAnon,
         syscall(SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  record(kMmapFile, syscall(SYS_mmap, 0, 4096, PROT_READ, MAP_PRIVATE, file_fd, 0));
  record(kOpenat, syscall(SYS_openat, AT_FDCWD, "/etc/hostname", O_RDONLY));
  unsigned long fsbase = 0;
  record(kArchGetFs, syscall(SYS_arch_prctl, 0x1003 /* ARCH_GET_FS */, &fsbase));
  record(kArchGetGs, syscall(SYS_arch_prctl, 0x1004 /* ARCH_GET_GS */, &fsbase));
  record(kBpf, syscall(SYS_bpf, 0, nullptr, 0));
  record(kPtrace, syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0));
  record(kIoUring, syscall(__NR_io_uring_setup, 1, nullptr));
  record(kUnshare, syscall(SYS_unshare, 0));
  record(kMseal, syscall(462 /* mseal */, 0, 0, 0));
  const char* argv[] = {"sentry-test", nullptr};
  record(kExecve, syscall(SYS_execve, "/nonexistent/sentry-test", argv, nullptr));
  sh->done.store(self > 0 ? 1 : 2);
  syscall(SYS_exit_group, 0);
  __builtin_unreachable();
}

int ReplyErrno(int nr) {
  switch (nr) {
    case __NR_mmap:
      return EPERM;
    case __NR_openat:
      return EACCES;
    case __NR_arch_prctl:
      return EINVAL;
    default:
      return ENOSYS;
  }
}

TEST(GuestFilterChildTest, ChildUnderFilter) {
  auto filter = BuildGuestFilter();
  ASSERT_TRUE(filter.ok()) << filter.status();

  void* mem =
      mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mem, MAP_FAILED);
  auto* sh = new (mem) Shared();
  UniqueFd file(memfd_create("sentry-filter-test", MFD_CLOEXEC));
  ASSERT_TRUE(file.valid());
  ASSERT_EQ(ftruncate(file.get(), 4096), 0);

  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) ProbeChild(sh, *filter, file.get());
  ChildGuard guard(pid);
  UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  ASSERT_TRUE(pidfd.valid()) << strerror(errno);

  auto deadline = Clock::now() + kTimeout;
  while (sh->listener.load() == -1000 && Clock::now() < deadline) usleep(1000);
  int child_fd = sh->listener.load();
  ASSERT_GE(child_fd, 0) << "child could not install the filter: " << strerror(-child_fd);
  UniqueFd listener(static_cast<int>(syscall(SYS_pidfd_getfd, pidfd.get(), child_fd, 0)));
  if (!listener.valid() && errno == EPERM) GTEST_SKIP() << "pidfd_getfd not permitted here";
  ASSERT_TRUE(listener.valid()) << strerror(errno);

  std::vector<int> notified;
  while (sh->done.load() == 0 && Clock::now() < deadline) {
    pollfd p = {listener.get(), POLLIN, 0};
    int n = poll(&p, 1, 100);
    ASSERT_GE(n, 0) << strerror(errno);
    if (n == 0) continue;
    if (p.revents & POLLIN) {
      seccomp_notif req;
      memset(&req, 0, sizeof(req));
      if (ioctl(listener.get(), SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) {
        ASSERT_EQ(errno, ENOENT) << strerror(errno);  // the notification went away
        continue;
      }
      EXPECT_EQ(req.pid, static_cast<uint32_t>(pid));
      EXPECT_EQ(req.data.arch, AUDIT_ARCH_X86_64);
      notified.push_back(req.data.nr);
      seccomp_notif_resp resp;
      memset(&resp, 0, sizeof(resp));
      resp.id = req.id;
      resp.error = -ReplyErrno(req.data.nr);
      ASSERT_EQ(ioctl(listener.get(), SECCOMP_IOCTL_NOTIF_SEND, &resp), 0) << strerror(errno);
    } else if (p.revents & (POLLHUP | POLLERR)) {
      break;  // no task left under the filter
    }
  }
  ASSERT_EQ(sh->done.load(), 1) << "child did not finish";
  int status = guard.Wait();
  ASSERT_NE(status, -1) << "child did not exit";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;

  // Exactly the emulated calls produced notifications, in order.
  EXPECT_EQ(notified, (std::vector<int>{__NR_mmap, __NR_openat, __NR_arch_prctl}));
  // (a) kill(self, 0) passed straight to the host.
  EXPECT_EQ(sh->ret[kGetpid], 0);
  EXPECT_EQ(sh->err[kGetpid], 0);
  // (b) anonymous mmap passed.
  EXPECT_GT(sh->ret[kMmapAnon], 0);
  EXPECT_EQ(sh->err[kMmapAnon], 0);
  // (c) file mmap and openat were answered by "the sentry" (this test).
  EXPECT_EQ(sh->ret[kMmapFile], -1);
  EXPECT_EQ(sh->err[kMmapFile], EPERM);
  EXPECT_EQ(sh->ret[kOpenat], -1);
  EXPECT_EQ(sh->err[kOpenat], EACCES);
  EXPECT_EQ(sh->ret[kArchGetFs], 0);
  EXPECT_EQ(sh->err[kArchGetGs], EINVAL);
  // (d) refusals come from the filter itself.
  EXPECT_EQ(sh->err[kBpf], EPERM);
  EXPECT_EQ(sh->err[kPtrace], EPERM);
  EXPECT_EQ(sh->err[kIoUring], ENOSYS);
  EXPECT_EQ(sh->err[kUnshare], EPERM);
  EXPECT_EQ(sh->err[kMseal], ENOSYS);
  // (e) execve is a trace stop; with no tracer the kernel fails it with ENOSYS.
  EXPECT_EQ(sh->ret[kExecve], -1);
  EXPECT_EQ(sh->err[kExecve], ENOSYS);

  munmap(mem, sizeof(Shared));
}

// A child that installs the filter (no listener) and then runs `body`; returns its wait status.
template <typename Fn>
int RunKilledChild(const std::vector<sock_filter>& filter, Fn body) {
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    NoCoreDumps();
    if (InstallFilter(filter, 0) < 0) _exit(2);
    body();
    syscall(SYS_exit_group, 0);
    __builtin_unreachable();
  }
  ChildGuard guard(pid);
  return guard.Wait();
}

TEST(GuestFilterChildTest, X32SyscallKillsTheProcess) {
  auto filter = BuildGuestFilter();
  ASSERT_TRUE(filter.ok()) << filter.status();
  int status = RunKilledChild(*filter, [] { syscall(__NR_getpid | kX32Bit); });
  ASSERT_NE(status, -1);
  ASSERT_TRUE(WIFSIGNALED(status)) << "status " << status;
  EXPECT_EQ(WTERMSIG(status), SIGSYS);
}

TEST(GuestFilterChildTest, Int80KillsTheProcess) {
  auto filter = BuildGuestFilter();
  ASSERT_TRUE(filter.ok()) << filter.status();
  int status = RunKilledChild(*filter, [] {
    long ret;
    // i386 getpid through the 32-bit entry point.
    asm volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory", "r8", "r9", "r10", "r11");
    (void)ret;
  });
  ASSERT_NE(status, -1);
  ASSERT_TRUE(WIFSIGNALED(status)) << "status " << status;
  // SIGSYS from the filter; SIGSEGV when the kernel runs without IA32 emulation, which
  // refuses int 0x80 before seccomp sees it.
  EXPECT_TRUE(WTERMSIG(status) == SIGSYS || WTERMSIG(status) == SIGSEGV) << WTERMSIG(status);
}

}  // namespace
}  // namespace sentry
