// Pseudo-terminal pairs of the sandbox: each pair is a real host pty of a private devpts
// instance (so the line discipline, echo, ISIG, job-control signals and hang-ups are the
// host kernel's); the registry knows the sandbox's pairs, their /dev/pts/N attributes, and
// hands out master and slave descriptions over sentry-owned host fds. Sentry thread only.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "common/sys_result.h"
#include "common/unique_fd.h"
#include "vfs/file_description.h"

namespace sentry::vfs {

// Linux's UNIX98_PTY_SLAVE_MAJOR: /dev/pts/N is makedev(136, N).
inline constexpr unsigned kPtySlaveMajor = 136;
// What the sentry asks the host for on every master and slave it opens: the description
// keeps the guest's access mode and O_NONBLOCK; the host fd never blocks the sentry.
inline constexpr int kPtyHostFlags = O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC;

// What the registry asks the sentry about guest processes.
struct PtyCallbacks {
  // The index of the sandbox pty that is the controlling terminal of sandbox process `pid`,
  // or -1 (none, or not a sandbox pty).
  std::function<int(int pid)> ctty_index;
  // The (fs)uid and gid of sandbox process `pid`: the owner of the /dev/pts/N it opens.
  std::function<std::pair<uint32_t, uint32_t>(int pid)> owner;
};

class PtyFile;

class PtyRegistry : public std::enable_shared_from_this<PtyRegistry> {
 public:
  // `devpts_fd`: the instance's root directory fd (not owned; must outlive the registry).
  PtyRegistry(int devpts_fd, PtyCallbacks callbacks);

  // A new pair (openat(devpts_fd, "ptmx", kPtyHostFlags)); the master's description is for
  // `d` with open flags `flags`; the new /dev/pts/N belongs to `caller_pid`'s ids.
  ErrnoOr<FileRef> OpenMaster(std::shared_ptr<Dentry> d, int flags, int caller_pid);
  // A new slave description of pair `index` for `d` (may be null): ENOENT when the pair is
  // gone, EIO while it is locked (as Linux), host errors otherwise.
  ErrnoOr<FileRef> OpenSlave(int index, std::shared_ptr<Dentry> d, int flags);
  // /dev/tty for `caller_pid` when its controlling terminal is a sandbox pty: a slave of that
  // pair for `d`. ENXIO when the process has no sandbox pty as controlling terminal.
  ErrnoOr<FileRef> OpenControllingTty(int caller_pid, std::shared_ptr<Dentry> d, int flags);

  // /dev/pts/N as stat(2) shows it.
  struct Node {
    uint32_t mode = 0620;  // permission bits
    uint32_t uid = 0, gid = 0;
    struct timespec time = {};  // atime = mtime = ctime (creation; updated by SetAttr)
  };
  // The live pairs, ascending.
  std::vector<int> Indices() const;
  // The node of pair `index`, or null.
  Node* FindNode(int index);
  // The devpts filesystem's st_dev (set by MakeDevpts), for fstat of dentry-less slaves.
  void set_dev(dev_t dev) { dev_ = dev; }
  dev_t dev() const { return dev_; }
  // stat(2) of /dev/pts/N (ENOENT when the pair is gone).
  SysResult StatNode(int index, struct stat* out);

 private:
  friend class PtyFile;
  struct Entry {
    int master_host_fd = -1;  // the master description's fd, valid while it lives
    Node node;
  };
  void Forget(int index) { pairs_.erase(index); }

  int devpts_fd_;
  PtyCallbacks callbacks_;
  std::map<int, Entry> pairs_;
  dev_t dev_ = 0;
};

// A master or slave description: reads, writes and terminal ioctls on a sentry-owned,
// non-blocking host fd (-EAGAIN means "would block": the caller waits on ReadinessFd()).
class PtyFile : public FileDescription {
 public:
  PtyFile(std::shared_ptr<PtyRegistry> registry, bool master, int index, UniqueFd fd,
          std::shared_ptr<Dentry> d, int flags);
  ~PtyFile() override;

  SysResult Read(std::span<char> buf) override;
  SysResult Write(std::span<const char> buf) override;
  // A dentry-less slave (opened through the master's TIOCGPTPEER) stats as /dev/pts/N.
  SysResult Stat(struct stat* out) override;
  // The host ioctls of PtyIoctlShape (the argument is the sentry's copy; an int for the
  // commands that take their argument by value); ENOTTY for the rest.
  SysResult Ioctl(uint32_t cmd, void* arg) override;
  int ReadinessFd() const override { return fd_.get(); }
  uint32_t Readiness(uint32_t mask) override;
  ErrnoOr<FileRef> Reopen(int flags) override;

  bool is_master() const { return master_; }
  int index() const { return index_; }
  int host_fd() const { return fd_.get(); }
  // Whether the pair's slave is some session's controlling terminal (TIOCGSID on the
  // master, which answers for the slave whoever asks).
  bool PairHasSession() const;
  // TIOCGPTPEER: a new slave description of this master's pair (O_NOCTTY is implied: the
  // sentry opens it, not the guest).
  ErrnoOr<FileRef> OpenPeer(int flags);

 private:
  std::shared_ptr<PtyRegistry> registry_;
  bool master_;
  int index_;
  UniqueFd fd_;
};

// The ioctls a pty description forwards to its host fd, and how their argument travels.
struct PtyIoctlShape {
  size_t size = 0;        // bytes copied in and/or out (0: no memory argument)
  bool in = false;        // copied from the guest before the call
  bool out = false;       // copied back to the guest after the call
  bool by_value = false;  // the argument register itself is the value (an int)
};
bool ShapeOfPtyIoctl(uint32_t cmd, PtyIoctlShape* shape);

// The ioctls that act on the *caller's* session or process group (controlling terminal,
// foreground group, session id, input injection): the host must run them in the guest's
// own context, on the pty's host fd installed at the guest's fd number.
bool IsPtyCallerIoctl(uint32_t cmd);

// The description as a pty, or null.
inline PtyFile* AsPty(const FileRef& f) { return dynamic_cast<PtyFile*>(f.get()); }
inline bool IsPty(const FileDescription& f) { return dynamic_cast<const PtyFile*>(&f) != nullptr; }

}  // namespace sentry::vfs
