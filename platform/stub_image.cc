// Access to the embedded stub ELF (linked in by stub_blob.S) and its memfd.
// Start-up only; sentry thread.
#include "platform/stub_image.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

extern "C" const char sentry_stub_start[];
extern "C" const char sentry_stub_end[];

namespace sentry::platform {

std::string_view StubImage() {
  return std::string_view(sentry_stub_start, sentry_stub_end - sentry_stub_start);
}

absl::StatusOr<UniqueFd> MakeStubMemfd() {
  UniqueFd fd(memfd_create("sentry-stub", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!fd) return absl::InternalError(absl::StrCat("memfd_create: ", strerror(errno)));
  std::string_view img = StubImage();
  size_t done = 0;
  while (done < img.size()) {
    ssize_t n = write(fd.get(), img.data() + done, img.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return absl::InternalError(absl::StrCat("write stub: ", strerror(errno)));
    done += n;
  }
  fchmod(fd.get(), 0555);
  if (fcntl(fd.get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
    return absl::InternalError(absl::StrCat("seal stub: ", strerror(errno)));
  return fd;
}

}  // namespace sentry::platform
