// MakePipe: host pipe as the buffer of an emulated pipe. Sentry thread only.
#include "vfs/pipe.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "vfs/hostfd.h"

namespace sentry::vfs {

ErrnoOr<std::pair<FileRef, FileRef>> MakePipe(int flags) {
  using R = ErrnoOr<std::pair<FileRef, FileRef>>;
  int host[2];
  if (::pipe2(host, O_CLOEXEC | O_NONBLOCK | (flags & O_DIRECT)) != 0) return R::Errno(errno);
  UniqueFd r(host[0]), w(host[1]);
  struct stat st;
  std::string name = "pipe:[0]";
  if (::fstat(r.get(), &st) == 0) name = "pipe:[" + std::to_string(st.st_ino) + "]";
  int status = flags & O_NONBLOCK;
  auto rd = std::make_shared<HostFile>(std::move(r), O_RDONLY | status, nullptr, name);
  auto wr = std::make_shared<HostFile>(std::move(w), O_WRONLY | status, nullptr, name);
  return std::make_pair(FileRef(rd), FileRef(wr));
}

}  // namespace sentry::vfs
