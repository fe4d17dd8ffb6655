// FdTable implementation.
// Ownership as described in vfs/fd_table.h; sentry thread only.
#include "vfs/fd_table.h"

#include <cerrno>

#include "vfs/file_lock.h"

namespace sentry::vfs {

FdTable::Entry* FdTable::Find(int fd) {
  if (fd < 0) return nullptr;
  if (fd < kDense) {
    if (static_cast<size_t>(fd) >= dense_.size() || dense_[fd].file == nullptr) return nullptr;
    return &dense_[fd];
  }
  auto it = sparse_.find(fd);
  return it == sparse_.end() ? nullptr : &it->second;
}

const FdTable::Entry* FdTable::Find(int fd) const { return const_cast<FdTable*>(this)->Find(fd); }

FileRef FdTable::Get(int fd) const {
  const Entry* e = Find(fd);
  return e ? e->file : nullptr;
}

void FdTable::Put(int fd, FileRef f, bool cloexec) {
  ++count_;
  if (fd < kDense) {
    if (static_cast<size_t>(fd) >= dense_.size()) dense_.resize(fd + 1);
    dense_[fd] = Entry{std::move(f), cloexec};
  } else {
    sparse_[fd] = Entry{std::move(f), cloexec};
  }
}

int FdTable::Install(FileRef f, bool cloexec, int min_fd, int limit) {
  if (f == nullptr || min_fd < 0) return -EINVAL;
  int fd = min_fd;
  while (fd < kDense && fd < limit) {
    if (static_cast<size_t>(fd) >= dense_.size() || dense_[fd].file == nullptr) {
      Put(fd, std::move(f), cloexec);
      return fd;
    }
    ++fd;
  }
  // Sparse range: the first gap at or after fd.
  for (auto it = sparse_.lower_bound(fd); it != sparse_.end() && it->first == fd; ++it) ++fd;
  if (fd >= limit) return -EMFILE;
  Put(fd, std::move(f), cloexec);
  return fd;
}

SysResult FdTable::InstallAt(int fd, FileRef f, bool cloexec, int limit) {
  if (fd < 0 || fd >= limit) return SysResult::Errno(EBADF);
  if (f == nullptr) return SysResult::Errno(EINVAL);
  FileRef old = Remove(fd);  // dropped after the new one is in place
  Put(fd, std::move(f), cloexec);
  return fd;
}

FdTable::~FdTable() { FileLocks().ReleaseOwner(this); }

FileRef FdTable::Remove(int fd) {
  Entry* e = Find(fd);
  if (e == nullptr) return nullptr;
  FileRef f = std::move(e->file);
  --count_;
  if (fd >= kDense)
    sparse_.erase(fd);
  else
    e->cloexec = false;
  ReleasePosixLocksOnClose(this, *f);
  return f;
}

SysResult FdTable::Close(int fd) {
  FileRef f = Remove(fd);
  if (f == nullptr) return SysResult::Errno(EBADF);
  return 0;
}

int FdTable::GetCloexec(int fd) const {
  const Entry* e = Find(fd);
  if (e == nullptr) return -EBADF;
  return e->cloexec ? 1 : 0;
}

SysResult FdTable::SetCloexec(int fd, bool on) {
  Entry* e = Find(fd);
  if (e == nullptr) return SysResult::Errno(EBADF);
  e->cloexec = on;
  return 0;
}

void FdTable::CloseOnExec() {
  std::vector<FileRef> dropped;  // destroyed after the table is consistent
  for (int fd : OpenFds()) {
    Entry* e = Find(fd);
    if (e->cloexec) dropped.push_back(Remove(fd));
  }
}

std::shared_ptr<FdTable> FdTable::Clone() const {
  auto t = std::make_shared<FdTable>();
  t->dense_ = dense_;
  t->sparse_ = sparse_;
  t->count_ = count_;
  return t;
}

std::vector<int> FdTable::OpenFds() const {
  std::vector<int> fds;
  fds.reserve(count_);
  for (size_t i = 0; i < dense_.size(); ++i) {
    if (dense_[i].file != nullptr) fds.push_back(static_cast<int>(i));
  }
  for (const auto& [fd, e] : sparse_) fds.push_back(fd);
  return fds;
}

}  // namespace sentry::vfs
