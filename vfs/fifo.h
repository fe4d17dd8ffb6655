// Fifo: the rendezvous behind one named pipe (a FIFO inode of tmpfs, goferfs, ...). Every open
// of the node goes through its Fifo, so readers and writers meet on one sentry-owned host pipe
// (Linux's fifo_open: blocking opens wait for the other side, EOF and EPIPE per side).
// Owned by the inode (shared_ptr) and kept alive by its open descriptions; sentry thread only.
#pragma once

#include <memory>

#include "common/sys_result.h"
#include "vfs/file_description.h"

namespace sentry::vfs {

class Dentry;
struct FifoPipe;

class Fifo : public std::enable_shared_from_this<Fifo> {
 public:
  Fifo();
  ~Fifo();
  Fifo(const Fifo&) = delete;
  Fifo& operator=(const Fifo&) = delete;

  // open(2) of the FIFO at `d` (flags and permissions already checked by the VFS). O_RDONLY,
  // O_WRONLY or O_RDWR (never waits); EINVAL for access mode 3; ENXIO for an O_NONBLOCK
  // writer while no reader is there. Without O_NONBLOCK, the description's OpenComplete()
  // stays false until the other side has been opened (the open handler waits on
  // OpenWaitQueue()).
  ErrnoOr<FileRef> Open(const std::shared_ptr<Dentry>& d, int flags);

  // Descriptions open now for reading / writing (an O_RDWR one counts for both).
  int readers() const;
  int writers() const;

 private:
  std::shared_ptr<FifoPipe> pipe_;  // the current generation; null before the first open
};

}  // namespace sentry::vfs
