// FdTable: a process's table of virtual fd numbers → open file descriptions.
// Shared between tasks on CLONE_FILES (via shared_ptr), copied by Clone() on fork.
// Sentry thread only.
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "common/sys_result.h"
#include "vfs/file_description.h"

namespace sentry::vfs {

class FdTable {
 public:
  FdTable() = default;
  // Drops the POSIX record locks this table owns (the process exited).
  ~FdTable();
  FdTable(const FdTable&) = delete;
  FdTable& operator=(const FdTable&) = delete;

  // The description installed at `fd`, or nullptr.
  FileRef Get(int fd) const;
  // Installs `f` at the lowest free number >= min_fd. -EMFILE if none is below `limit`
  // (RLIMIT_NOFILE), -EINVAL if min_fd < 0. (fcntl(F_DUPFD) wants EINVAL when
  // min_fd >= limit: the caller checks that.)
  int Install(FileRef f, bool cloexec, int min_fd, int limit);
  // dup2/dup3: installs at `fd`, replacing (and dropping) what was there. EBADF if fd < 0
  // or fd >= limit. Returns fd.
  SysResult InstallAt(int fd, FileRef f, bool cloexec, int limit);
  // EBADF if not open.
  SysResult Close(int fd);
  // Like Close, returning the description that was removed (nullptr: not open). As in
  // Linux, closing any fd of a file drops the POSIX locks this table holds on it; every
  // path that drops an fd (close, dup2 over it, close-on-exec) comes through here.
  FileRef Remove(int fd);
  // 0/1, or -EBADF.
  int GetCloexec(int fd) const;
  SysResult SetCloexec(int fd, bool on);
  // Closes every fd marked close-on-exec.
  void CloseOnExec();
  // A copy sharing the descriptions (fork without CLONE_FILES).
  std::shared_ptr<FdTable> Clone() const;
  // The open numbers, sorted.
  std::vector<int> OpenFds() const;
  size_t size() const { return count_; }

 private:
  struct Entry {
    FileRef file;
    bool cloexec = false;
  };
  // Numbers below kDense live in a vector, the rest in a map (a guest's dup2(0, 1000000)
  // must not make the sentry allocate a million entries).
  static constexpr int kDense = 1024;

  Entry* Find(int fd);
  const Entry* Find(int fd) const;
  void Put(int fd, FileRef f, bool cloexec);

  std::vector<Entry> dense_;
  std::map<int, Entry> sparse_;
  size_t count_ = 0;
};

}  // namespace sentry::vfs
