// FileDescription defaults, PathFile and SeekableFile.
// Ownership as described in vfs/file_description.h; sentry thread only.
#include "vfs/file_description.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include "vfs/dentry.h"
#include "vfs/file_lock.h"
#include "vfs/fsnotify.h"
#include "vfs/path.h"

namespace sentry::vfs {

namespace {
constexpr int kDroppedFlags = O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC;
}  // namespace

FileDescription::FileDescription(std::shared_ptr<Dentry> dentry, int flags, std::string anon_name)
    : dentry_(std::move(dentry)),
      flags_(flags & ~kDroppedFlags),
      anon_name_(std::move(anon_name)) {
  if (dentry_ != nullptr && dentry_->inode() != nullptr) dentry_->inode()->AddOpenFile();
}

bool FileDescription::IsTerminal() {
  if (is_terminal_ < 0) {
    alignas(8) char termios[64];
    is_terminal_ = Ioctl(TCGETS, termios).ok() ? 1 : 0;
  }
  return is_terminal_ == 1;
}

void FileDescription::PushBack(std::span<const char> data) {
  if (data.empty()) return;
  if (pushback_.empty()) ++pushback_holders_;
  pushback_.insert(0, data.data(), data.size());  // older than anything held already
}

void FileDescription::GiveBack(const char* data, size_t len) {
  if (len == 0) return;
  // Only regular files (and block devices) have an offset a read moved. Asking lseek is not
  // enough: anon inodes (epoll, eventfd, timerfd) "seek" successfully without moving.
  struct stat st;
  if (Stat(&st).ok() && (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
    Seek(-static_cast<int64_t>(len), SEEK_CUR);
    return;
  }
  if (data != nullptr) PushBack(std::span<const char>(data, len));
}

size_t FileDescription::TakePushback(std::span<char> buf, bool peek) {
  size_t n = std::min(buf.size(), pushback_.size());
  std::memcpy(buf.data(), pushback_.data(), n);
  if (peek) return n;
  pushback_.erase(0, n);
  if (n > 0 && pushback_.empty()) {
    --pushback_holders_;
    std::string().swap(pushback_);  // give the memory back
  }
  return n;
}

FileDescription::~FileDescription() {
  if (!pushback_.empty()) --pushback_holders_;
  if (dentry_ != nullptr && dentry_->inode() != nullptr) dentry_->inode()->DropOpenFile();
  // IN_CLOSE_WRITE / IN_CLOSE_NOWRITE (the last close), then IN_DELETE_SELF for an unlinked
  // inode nothing holds open any more.
  fsnotify::Closed(*this);
  if (holds_locks_) FileLocks().ReleaseOwner(this);
}

bool FileDescription::readable() const {
  if (is_path()) return false;
  int acc = access_mode();
  return acc == O_RDONLY || acc == O_RDWR;
}

bool FileDescription::writable() const {
  if (is_path()) return false;
  int acc = access_mode();
  return acc == O_WRONLY || acc == O_RDWR;
}

SysResult FileDescription::Read(std::span<char>) {
  if (int err = CheckReadable()) return SysResult::Errno(err);
  return SysResult::Errno(EINVAL);
}

SysResult FileDescription::Write(std::span<const char>) {
  if (int err = CheckWritable()) return SysResult::Errno(err);
  return SysResult::Errno(EINVAL);
}

SysResult FileDescription::PRead(std::span<char>, int64_t) {
  if (int err = CheckReadable()) return SysResult::Errno(err);
  return SysResult::Errno(ESPIPE);
}

SysResult FileDescription::PWrite(std::span<const char>, int64_t) {
  if (int err = CheckWritable()) return SysResult::Errno(err);
  return SysResult::Errno(ESPIPE);
}

SysResult FileDescription::Seek(int64_t, int) {
  if (is_path()) return SysResult::Errno(EBADF);
  return SysResult::Errno(ESPIPE);
}

SysResult FileDescription::Stat(struct stat* out) {
  if (dentry_ == nullptr) return SysResult::Errno(EBADF);
  return dentry_->inode()->Stat(out);
}

SysResult FileDescription::GetDents64(std::span<char>) {
  if (is_path()) return SysResult::Errno(EBADF);
  return SysResult::Errno(ENOTDIR);
}

SysResult FileDescription::Ioctl(uint32_t, void*) {
  if (is_path()) return SysResult::Errno(EBADF);
  return SysResult::Errno(ENOTTY);
}

uint32_t FileDescription::Readiness(uint32_t mask) {
  uint32_t ready = 0;
  if (readable()) ready |= POLLIN | POLLRDNORM;
  if (writable()) ready |= POLLOUT | POLLWRNORM;
  return ready & mask;
}

ErrnoOr<FileRef> FileDescription::Reopen(int) { return ErrnoOr<FileRef>::Errno(ENXIO); }

SysResult FileDescription::PipeSize(int, uint64_t) { return SysResult::Errno(EBADF); }

std::string FileDescription::Path() const {
  if (dentry_ == nullptr) return anon_name_;
  return AbsolutePath(dentry_, nullptr);
}

SysResult FileDescription::SeekIn(int64_t offset, int whence, int64_t size) {
  int64_t base;
  switch (whence) {
    case SEEK_SET:
      base = 0;
      break;
    case SEEK_CUR:
      base = offset_;
      break;
    case SEEK_END:
      base = size;
      break;
    case SEEK_DATA:
      if (offset < 0 || offset >= size) return SysResult::Errno(ENXIO);
      offset_ = offset;
      return offset_;
    case SEEK_HOLE:
      if (offset < 0 || offset >= size) return SysResult::Errno(ENXIO);
      offset_ = size;
      return offset_;
    default:
      return SysResult::Errno(EINVAL);
  }
  int64_t pos;
  if (__builtin_add_overflow(base, offset, &pos) || pos < 0) return SysResult::Errno(EINVAL);
  offset_ = pos;
  return pos;
}

PathFile::PathFile(std::shared_ptr<Dentry> dentry, int flags, std::string anon_name)
    : FileDescription(std::move(dentry), flags, std::move(anon_name)) {}

SysResult SeekableFile::Read(std::span<char> buf) {
  if (int err = CheckReadable()) return SysResult::Errno(err);
  SysResult r = PRead(buf, offset_);
  if (r.ok()) offset_ += r.value();
  return r;
}

SysResult SeekableFile::Write(std::span<const char> buf) {
  if (int err = CheckWritable()) return SysResult::Errno(err);
  if (status_flags() & O_APPEND) offset_ = Size();
  SysResult r = PWrite(buf, offset_);
  if (r.ok()) offset_ += r.value();
  return r;
}

SysResult SeekableFile::Seek(int64_t offset, int whence) {
  if (is_path()) return SysResult::Errno(EBADF);
  return SeekIn(offset, whence, Size());
}

SysResult SeekableFile::Ioctl(uint32_t cmd, void* arg) {
  if (is_path()) return SysResult::Errno(EBADF);
  if (cmd == FIONREAD) {
    int64_t left = Size() - offset_;
    if (left < 0) left = 0;
    if (left > std::numeric_limits<int>::max()) left = std::numeric_limits<int>::max();
    *static_cast<int*>(arg) = static_cast<int>(left);
    return 0;
  }
  return SysResult::Errno(ENOTTY);
}

}  // namespace sentry::vfs
