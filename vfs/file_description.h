// FileDescription: an open file (Linux "struct file"), shared by dup'd fds via FileRef.
// Created by filesystems (Inode::Open) and by the sentry (pipes, sockets, ...); the base
// class holds the flags, the offset and the dentry. Sentry thread only.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "common/sys_result.h"
#include "vfs/async_owner.h"
#include "vfs/inode.h"

namespace sentry {
class WaitQueue;
}  // namespace sentry

namespace sentry::vfs {

class Dentry;

// The kernel's O_LARGEFILE (glibc defines it as 0 on x86-64); open(2) always sets it.
inline constexpr int kOLargeFile = 0100000;
// The bits F_SETFL may change (Linux SETFL_MASK).
inline constexpr int kSetFlMask = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;

class FileDescription : public std::enable_shared_from_this<FileDescription> {
 public:
  // `flags` are open(2) flags: the access mode and status bits are kept (O_CREAT, O_EXCL,
  // O_NOCTTY, O_TRUNC and O_CLOEXEC are dropped). `dentry` may be null (anonymous files),
  // then `anon_name` is what Path() returns ("pipe:[3]", "anon_inode:[eventfd]", ...).
  FileDescription(std::shared_ptr<Dentry> dentry, int flags, std::string anon_name = "");
  virtual ~FileDescription();
  FileDescription(const FileDescription&) = delete;
  FileDescription& operator=(const FileDescription&) = delete;

  // Buffers are sentry memory. Results: bytes or -errno. -EAGAIN on a description that is
  // not O_NONBLOCK means "would block": the caller waits for ReadinessFd() and retries.
  // The defaults: EBADF when the access mode (or O_PATH) forbids the operation, else
  // EINVAL (read/write), ESPIPE (pread/pwrite/seek), ENOTDIR (getdents), ENOTTY (ioctl).
  virtual SysResult Read(std::span<char> buf);
  virtual SysResult Write(std::span<const char> buf);
  virtual SysResult PRead(std::span<char> buf, int64_t offset);
  virtual SysResult PWrite(std::span<const char> buf, int64_t offset);
  virtual SysResult Seek(int64_t offset, int whence);
  // fstat: the dentry's inode by default (EBADF never: fstat works on O_PATH).
  virtual SysResult Stat(struct stat* out);
  // linux_dirent64 records including "." and ".."; EINVAL if `buf` cannot hold one.
  virtual SysResult GetDents64(std::span<char> buf);
  // `arg` is the sentry's copy of the guest argument.
  virtual SysResult Ioctl(uint32_t cmd, void* arg);
  // Host fd usable to mmap this file in the guest, else -1.
  virtual int HostFd() const { return -1; }
  // Host fd the sentry may poll for readiness, else -1.
  virtual int ReadinessFd() const { return -1; }
  // Host fd a blocked write waits on for POLLOUT (a datagram socket: its receiver's queue).
  virtual int WriteWaitFd() const { return ReadinessFd(); }
  // poll(2) events ready now among `mask` (POLLIN/POLLOUT/...). Files without a wait queue
  // are always ready for what their access mode allows.
  virtual uint32_t Readiness(uint32_t mask);
  // FIFOs: an open(2) without O_NONBLOCK completes only once the other side has been
  // opened too. OpenWaitQueue() is then woken when that may have happened; null: no wait.
  virtual bool OpenComplete() { return true; }
  virtual WaitQueue* OpenWaitQueue() { return nullptr; }
  // A new description of the same object, for opening a magic link (/proc/self/fd/N) of
  // an anonymous file. ENXIO by default.
  virtual ErrnoOr<std::shared_ptr<FileDescription>> Reopen(int flags);
  // fcntl F_GETPIPE_SZ / F_SETPIPE_SZ (`arg`: the requested size). Pipes and FIFOs answer
  // from the host pipe that is their buffer; anything else is EBADF, as Linux's pipe_fcntl.
  virtual SysResult PipeSize(int cmd, uint64_t arg);

  int access_mode() const { return flags_ & O_ACCMODE; }
  int status_flags() const { return flags_ & ~O_ACCMODE; }
  void set_status_flags(int flags) { flags_ = (flags_ & ~kSetFlMask) | (flags & kSetFlMask); }
  bool is_path() const { return (flags_ & O_PATH) != 0; }
  bool readable() const;
  bool writable() const;
  const std::shared_ptr<Dentry>& dentry() const { return dentry_; }
  // Absolute sandbox path (from the global root), or the anonymous name.
  virtual std::string Path() const;
  // Lines /proc/PID/fdinfo/N adds after the common ones ("sigmask:\t...\n" for a signalfd).
  virtual std::string FdInfo() const { return ""; }

  int64_t offset() const { return offset_; }

  // O_ASYNC: the owner fcntl(F_SETOWN...) chose. A description whose readiness is not
  // visible on ReadinessFd() (sentry-side state) calls NotifyAsync(POLLIN/POLLOUT/...) when
  // it becomes ready; it raises the owner's signal if O_ASYNC is set (vfs/async_owner.h).
  // Descriptions with a ReadinessFd() need not: the sentry watches that fd for O_ASYNC ones.
  AsyncOwner& async_owner() { return async_owner_; }
  void NotifyAsync(uint32_t band);

  // Set once a flock or OFD lock was taken through this description: the destructor (the
  // last close) then drops its locks (vfs/file_lock.h).
  void mark_holds_locks() { holds_locks_ = true; }

  // Whether this description is a terminal (TCGETS works). Asked of the file once: the
  // read/write background checks run it on every call, and it never changes.
  bool IsTerminal();

  // Bytes a read took from a stream (pipe, FIFO, tty, socket, eventfd, ...) but could not
  // deliver: a signal interrupted the guest's notification before the reply landed
  // (Kernel::UndoRead). The next read of this description returns them first, and poll,
  // select and epoll report POLLIN while any are held. Empty (no allocation) otherwise.
  void PushBack(std::span<const char> data);
  bool has_pushback() const { return !pushback_.empty(); }
  // Moves (or, peeking, copies) up to buf.size() pushed-back bytes into `buf`; the count.
  size_t TakePushback(std::span<char> buf, bool peek = false);
  // Undoes a read of `len` bytes that could not be delivered: a regular file's offset moves
  // back; anything else gets `data` (the bytes, in order; null if they are gone) pushed back.
  void GiveBack(const char* data, size_t len);
  // How many descriptions hold pushed-back bytes (epoll scans its items only when any do).
  static int pushback_holders() { return pushback_holders_; }

 protected:
  // 0 or EBADF.
  int CheckReadable() const { return readable() ? 0 : EBADF; }
  int CheckWritable() const { return writable() ? 0 : EBADF; }
  // Seek helper for files of `size` bytes with SEEK_SET/CUR/END/DATA/HOLE.
  SysResult SeekIn(int64_t offset, int whence, int64_t size);

  int64_t offset_ = 0;

 private:
  std::shared_ptr<Dentry> dentry_;
  int flags_;
  std::string anon_name_;
  bool holds_locks_ = false;
  AsyncOwner async_owner_;
  std::string pushback_;
  static inline int pushback_holders_ = 0;
  int8_t is_terminal_ = -1;  // unknown until IsTerminal() asks
};

using FileRef = std::shared_ptr<FileDescription>;

// A description that supports only fstat and Path (O_PATH, and Linux's "can't do that"
// files): everything else is EBADF.
class PathFile : public FileDescription {
 public:
  PathFile(std::shared_ptr<Dentry> dentry, int flags, std::string anon_name = "");
};

// Base for random-access files: Read/Write/Seek/FIONREAD in terms of PRead/PWrite/Size.
class SeekableFile : public FileDescription {
 public:
  using FileDescription::FileDescription;
  SysResult Read(std::span<char> buf) override;
  SysResult Write(std::span<const char> buf) override;
  SysResult Seek(int64_t offset, int whence) override;
  SysResult Ioctl(uint32_t cmd, void* arg) override;

 protected:
  // Current size, for SEEK_END, O_APPEND and FIONREAD.
  virtual int64_t Size() = 0;
};

// The largest count one read/write transfers (Linux MAX_RW_COUNT).
inline constexpr size_t kMaxRwCount = 0x7ffff000;

}  // namespace sentry::vfs
