// procfs data from the kernel's process table. Sentry thread only.
#include "sentry/process_info.h"

#include <fcntl.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "sentry/kernel.h"

namespace sentry {
namespace {

std::string JoinNul(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    out += s;
    out.push_back('\0');
  }
  return out;
}

}  // namespace

std::vector<int> KernelProcessInfo::Pids() const {
  std::vector<int> out;
  for (Process* p : kernel_->processes()) out.push_back(p->pid);
  return out;
}

bool KernelProcessInfo::Exists(int pid) const { return kernel_->FindProcess(pid) != nullptr; }

std::string KernelProcessInfo::Cmdline(int pid) const {
  Process* p = kernel_->FindProcess(pid);
  return p ? JoinNul(p->argv) : "";
}

std::string KernelProcessInfo::Environ(int pid) const {
  Process* p = kernel_->FindProcess(pid);
  return p ? JoinNul(p->envp) : "";
}

std::string KernelProcessInfo::Comm(int pid) const {
  Process* p = kernel_->FindProcess(pid);
  return p ? p->comm + "\n" : "";
}

std::string KernelProcessInfo::ExePath(int pid) const {
  Process* p = kernel_->FindProcess(pid);
  return p ? p->exe_path : "";
}

std::string KernelProcessInfo::Cwd(int pid) const {
  Process* p = kernel_->FindProcess(pid);
  return p ? kernel_->vfs().PathOf(p->fs.cwd, p->fs.root) : "";
}

std::string KernelProcessInfo::Maps(int pid) const {
  Process* p = kernel_->FindProcess(pid);
  if (!p) return "";
  // The host kernel owns the address space; its view is the truth. Mirrors show the host
  // paths of gofer files, which equal sandbox paths when the root is the host's "/".
  std::string path = absl::StrCat("/proc/", p->host_pid, "/maps");
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  std::string out;
  char buf[8192];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
  close(fd);
  return out;
}

std::string KernelProcessInfo::StatusFields(int pid) const {
  Process* p = kernel_->FindProcess(pid);
  if (!p) return "";
  const auto& c = p->creds;
  return absl::StrCat("State:\tR (running)\nTgid:\t", p->pid, "\nPid:\t", p->pid, "\nPPid:\t",
                      p->ppid, "\nUid:\t", c.uid, "\t", c.euid, "\t", c.euid, "\t", c.fsuid,
                      "\nGid:\t", c.gid, "\t", c.egid, "\t", c.egid, "\t", c.fsgid,
                      "\nThreads:\t1\nSeccomp:\t2\n");
}

std::string KernelProcessInfo::StatLine(int pid) const {
  Process* p = kernel_->FindProcess(pid);
  if (!p) return "";
  return absl::StrCat(p->pid, " (", p->comm, ") R ", p->ppid, " ", p->pid, " ", p->pid,
                      " 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 0 0 0\n");
}

std::vector<std::pair<int, std::string>> KernelProcessInfo::Fds(int pid) const {
  std::vector<std::pair<int, std::string>> out;
  Process* p = kernel_->FindProcess(pid);
  if (!p) return out;
  for (int fd : p->fds->OpenFds()) {
    vfs::FileRef f = p->fds->Get(fd);
    if (f) out.emplace_back(fd, f->Path());
  }
  return out;
}

}  // namespace sentry

namespace sentry {

std::pair<uint32_t, uint32_t> KernelProcessInfo::Owner(int pid) const {
  Process* p = kernel_->FindProcess(pid);
  if (!p) return {0, 0};
  return {p->creds.euid, p->creds.egid};
}

std::shared_ptr<vfs::FileDescription> KernelProcessInfo::FdFile(int pid, int fd) const {
  Process* p = kernel_->FindProcess(pid);
  return p ? p->fds->Get(fd) : nullptr;
}

}  // namespace sentry
