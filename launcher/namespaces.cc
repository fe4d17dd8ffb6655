// Implementation of SpawnInNamespaces (raw clone + parent-written id maps) and the
// diagnosis of namespace failures. Owned by the launcher; main thread, single-threaded process.
#include "launcher/namespaces.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "common/unique_fd.h"

namespace sentry::launcher {
namespace {

constexpr int kNamespaceFlags[] = {CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNS,    CLONE_NEWNET,
                                   CLONE_NEWIPC,  CLONE_NEWUTS, CLONE_NEWCGROUP};

// fork()-like clone: the child continues on a copy of our stack. Unlike fork() it skips
// glibc's atfork work, which is fine in a single-threaded process; the child's cached
// thread id in glibc is stale, so it must not use tid-owned (recursive/robust) mutexes.
pid_t RawClone(int flags) {
  return static_cast<pid_t>(::syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, 0));
}

std::string ReadSysctl(const char* path) {
  std::ifstream in(path);
  std::string value;
  if (!(in >> value)) return "";
  return value;
}

std::string UserNamespaceHint(int err) {
  if (ReadSysctl("/proc/sys/user/max_user_namespaces") == "0") {
    return "user.max_user_namespaces is 0 (sysctl -w user.max_user_namespaces=15000)";
  }
  if (err == ENOSPC || err == EUSERS) {
    return "the limit on user namespaces (user.max_user_namespaces) is reached";
  }
  if (err == EINVAL) return "the kernel is built without user namespaces (CONFIG_USER_NS)";
  if (::geteuid() != 0) {
    if (ReadSysctl("/proc/sys/kernel/unprivileged_userns_clone") == "0") {
      return "unprivileged user namespaces are disabled "
             "(sysctl -w kernel.unprivileged_userns_clone=1)";
    }
    if (ReadSysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == "1") {
      return "AppArmor restricts unprivileged user namespaces "
             "(kernel.apparmor_restrict_unprivileged_userns=1)";
    }
  }
  return "user namespaces are not permitted here (a container's seccomp profile, a chroot, "
         "or a security module may forbid them)";
}

// The per-namespace limit under /proc/sys/user/.
const char* SysctlName(int flag) {
  switch (flag) {
    case CLONE_NEWPID:
      return "max_pid_namespaces";
    case CLONE_NEWNS:
      return "max_mnt_namespaces";
    case CLONE_NEWNET:
      return "max_net_namespaces";
    case CLONE_NEWIPC:
      return "max_ipc_namespaces";
    case CLONE_NEWUTS:
      return "max_uts_namespaces";
    case CLONE_NEWCGROUP:
      return "max_cgroup_namespaces";
    default:
      return "max_user_namespaces";
  }
}

// Tries clone(CLONE_NEWUSER | flag) in a throwaway child; returns 0 or the errno.
int ProbeClone(int flags) {
  pid_t pid = RawClone(flags);
  if (pid == 0) ::_exit(0);
  if (pid < 0) return errno;
  int status;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return 0;
}

}  // namespace

const char* NamespaceName(int flag) {
  switch (flag) {
    case CLONE_NEWUSER:
      return "user";
    case CLONE_NEWPID:
      return "pid";
    case CLONE_NEWNS:
      return "mount";
    case CLONE_NEWNET:
      return "network";
    case CLONE_NEWIPC:
      return "ipc";
    case CLONE_NEWUTS:
      return "uts";
    case CLONE_NEWCGROUP:
      return "cgroup";
    default:
      return "unknown";
  }
}

std::string DiagnoseNamespaceFailure(int ns_flags, int err) {
  int user_err = ProbeClone(CLONE_NEWUSER);
  if (user_err != 0) {
    return absl::StrCat("cannot create a user namespace (clone: ", std::strerror(user_err),
                        "): ", UserNamespaceHint(user_err));
  }
  for (int flag : kNamespaceFlags) {
    if (flag == CLONE_NEWUSER || !(ns_flags & flag)) continue;
    int e = ProbeClone(CLONE_NEWUSER | flag);
    if (e != 0) {
      std::string hint;
      if (e == EINVAL) hint = ": the kernel lacks support for it";
      if (e == ENOSPC) hint = absl::StrCat(": the limit user.", SysctlName(flag), " is reached");
      return absl::StrCat("cannot create a ", NamespaceName(flag),
                          " namespace (clone: ", std::strerror(e), ")", hint);
    }
  }
  return absl::StrCat("cannot create the sandbox's namespaces (clone: ", std::strerror(err), ")");
}

absl::StatusOr<pid_t> SpawnInNamespaces(int ns_flags, const IdMapping& mapping,
                                        const std::function<int()>& child_main,
                                        const std::function<absl::Status(pid_t)>& before_release) {
  if (!(ns_flags & CLONE_NEWUSER)) {
    return absl::InvalidArgumentError("SpawnInNamespaces needs CLONE_NEWUSER");
  }
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe2: ", std::strerror(errno)));
  }
  UniqueFd release_rd(pipe_fds[0]), release_wr(pipe_fds[1]);
  std::fflush(nullptr);  // nothing buffered may be written twice

  // The cgroup namespace comes after the release (see the header): its root is the cgroup
  // the child is in when it is created.
  const bool new_cgroup_ns = (ns_flags & CLONE_NEWCGROUP) != 0;
  pid_t pid = RawClone(ns_flags & ~CLONE_NEWCGROUP);
  if (pid < 0) {
    int err = errno;
    return absl::FailedPreconditionError(DiagnoseNamespaceFailure(ns_flags, err));
  }
  if (pid == 0) {
    // Child. Die with the parent from here on; before this point, EOF on the pipe covers it.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    release_wr.reset();
    char byte;
    ssize_t n;
    do {
      n = ::read(release_rd.get(), &byte, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1) ::_exit(125);  // the parent died or gave up on us
    release_rd.reset();
    if (new_cgroup_ns && ::unshare(CLONE_NEWCGROUP) != 0) {
      std::fprintf(stderr, "sentry: cannot create a cgroup namespace (unshare: %s)\n",
                   std::strerror(errno));
      ::_exit(125);
    }
    int code = child_main();
    std::fflush(nullptr);
    ::_exit(code);
  }

  release_rd.reset();
  absl::Status st = before_release ? before_release(pid) : absl::OkStatus();
  if (st.ok()) st = WriteIdMapping(pid, mapping);
  if (st.ok() && ::write(release_wr.get(), "x", 1) != 1) {
    st = absl::InternalError(absl::StrCat("releasing the sandbox: ", std::strerror(errno)));
  }
  if (!st.ok()) {
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    return absl::Status(st.code(), absl::StrCat("setting up the sandbox: ", st.message()));
  }
  return pid;
}

}  // namespace sentry::launcher
