// The floor the execution model puts under every trapped syscall on this machine, with no
// sentry code at all: a user-notification round trip, remote memory reads and writes, and
// the in-guest SIGSYS alternative with and without a ptrace tracer. Host-only (run natively).
//
// Prints one "name ns_per_op" line per case; bench/run.py puts them beside its table.
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "bench_util.h"

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

namespace {

constexpr int kIters = 20000;

double NowNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

// A filter that sends getppid to `action` and allows everything else.
int InstallFilter(unsigned int action, unsigned int flags) {
  struct sock_filter f[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, action),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {sizeof(f) / sizeof(f[0]), f};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -1;
  return static_cast<int>(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog));
}

// Times kIters getppid() calls; returns ns per call.
double TimeGetppid() {
  double start = NowNs();
  for (int i = 0; i < kIters; ++i) syscall(SYS_getppid);
  return (NowNs() - start) / kIters;
}

// One byte carrying one fd (SCM_RIGHTS), for handing the listener over.
struct FdMessage {
  char byte = 0;
  struct iovec io = {&byte, 1};
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  struct msghdr msg = {};
  FdMessage() {
    msg.msg_iov = &io;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
  }
  FdMessage(const FdMessage&) = delete;
};

bool SendFd(int sock, int fd) {
  FdMessage m;
  struct cmsghdr* c = CMSG_FIRSTHDR(&m.msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof(int));
  return sendmsg(sock, &m.msg, 0) == 1;
}

int RecvFd(int sock) {
  FdMessage m;
  if (recvmsg(sock, &m.msg, 0) != 1) return -1;
  struct cmsghdr* c = CMSG_FIRSTHDR(&m.msg);
  if (c == nullptr || c->cmsg_type != SCM_RIGHTS) return -1;
  int fd;
  memcpy(&fd, CMSG_DATA(c), sizeof(int));
  return fd;
}

// The child traps getppid to a user-notification listener that this process answers;
// the child reports its per-call time through a pipe. sync: the synchronous wake-up flag.
double UserNotifRoundTrip(bool sync) {
  int sp[2], out[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) != 0 || pipe(out) != 0) return -1;
  pid_t child = fork();
  if (child == 0) {
    int listener = InstallFilter(SECCOMP_RET_USER_NOTIF, SECCOMP_FILTER_FLAG_NEW_LISTENER);
    if (listener < 0 || !SendFd(sp[0], listener)) _exit(1);
    close(listener);
    double ns = TimeGetppid();
    WriteFull(out[1], reinterpret_cast<const char*>(&ns), sizeof(ns));
    _exit(0);
  }
  close(sp[0]);
  close(out[1]);
  int listener = RecvFd(sp[1]);
  double ns = -1;
  if (listener >= 0) {
    if (sync) ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, 0);
    for (int i = 0; i < kIters; ++i) {
      struct seccomp_notif req;
      memset(&req, 0, sizeof(req));
      if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) break;
      struct seccomp_notif_resp resp = {};
      resp.id = req.id;
      ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
    }
    ReadFull(out[0], reinterpret_cast<char*>(&ns), sizeof(ns));
    close(listener);
  }
  Reap(child);
  close(sp[1]);
  close(out[0]);
  return ns;
}

void OnSigsys(int, siginfo_t*, void* uc) {
  static_cast<ucontext_t*>(uc)->uc_mcontext.gregs[REG_RAX] = 0;
}

// SECCOMP_RET_TRAP answered by an in-process SIGSYS handler; `traced`: a ptrace tracer
// (this process) sees every SIGSYS as a signal-delivery stop and re-injects it.
double SigsysRoundTrip(bool traced) {
  int out[2];
  if (pipe(out) != 0) return -1;
  pid_t child = fork();
  if (child == 0) {
    if (traced) raise(SIGSTOP);  // wait for the tracer
    struct sigaction sa = {};
    sa.sa_sigaction = OnSigsys;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSYS, &sa, nullptr);
    if (InstallFilter(SECCOMP_RET_TRAP, 0) != 0) _exit(1);
    double ns = TimeGetppid();
    WriteFull(out[1], reinterpret_cast<const char*>(&ns), sizeof(ns));
    _exit(0);
  }
  close(out[1]);
  if (traced) {
    int status;
    waitpid(child, &status, WSTOPPED);
    ptrace(PTRACE_SEIZE, child, 0, 0);
    kill(child, SIGCONT);
    // Bounded: the child makes kIters trapped calls plus a few start-up stops.
    for (int stops = 0; stops < kIters + 64; ++stops) {
      if (waitpid(child, &status, __WALL) != child || !WIFSTOPPED(status)) break;
      int sig = WSTOPSIG(status);
      ptrace(PTRACE_CONT, child, 0, sig == SIGSYS || sig == SIGCONT ? sig : 0);
    }
  }
  double ns = -1;
  ReadFull(out[0], reinterpret_cast<char*>(&ns), sizeof(ns));
  close(out[0]);
  if (!traced) Reap(child);
  else waitpid(child, nullptr, __WALL);
  return ns;
}

// process_vm_readv / process_vm_writev of `len` bytes in a stopped child.
double RemoteMemory(bool write, size_t len) {
  static char target[4096];
  pid_t child = fork();
  if (child == 0) {
    pause();
    _exit(0);
  }
  char local[4096] = {};
  double start = NowNs();
  for (int i = 0; i < kIters; ++i) {
    struct iovec l = {local, len}, r = {target, len};
    if (write) process_vm_writev(child, &l, 1, &r, 1, 0);
    else process_vm_readv(child, &l, 1, &r, 1, 0);
  }
  double ns = (NowNs() - start) / kIters;
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  return ns;
}

}  // namespace

int main() {
  printf("native_getppid %.0f\n", TimeGetppid());
  printf("user_notif_round_trip %.0f\n", UserNotifRoundTrip(false));
  printf("user_notif_round_trip_sync_wake_up %.0f\n", UserNotifRoundTrip(true));
  printf("process_vm_readv_256B %.0f\n", RemoteMemory(false, 256));
  printf("process_vm_writev_144B %.0f\n", RemoteMemory(true, 144));
  printf("sigsys_handler_round_trip %.0f\n", SigsysRoundTrip(false));
  printf("sigsys_handler_round_trip_ptraced %.0f\n", SigsysRoundTrip(true));
  return 0;
}
