// Test helpers for the gofer (see test_util.h). Test-only; test's main thread.
#include "gofer/test_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>
#include <utility>

#include "common/log.h"
#include "gofer/channel.h"
#include "gofer/protocol.h"
#include "gofer/wire.h"

namespace sentry::gofer::testing {

TempTree::TempTree() {
  char tmpl[] = "/tmp/gofer_test.XXXXXX";
  CHECK(::mkdtemp(tmpl) != nullptr);
  path_ = tmpl;
}

namespace {

// Removes everything inside the directory `dir` without following symlinks; works at any
// depth (each level is opened relative to its parent).
void RemoveContents(int dir) {
  UniqueFd listing(::openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!listing) return;
  DIR* d = ::fdopendir(listing.release());
  if (d == nullptr) return;
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if (n != "." && n != "..") names.emplace_back(n);
  }
  ::closedir(d);
  for (const std::string& n : names) {
    if (::unlinkat(dir, n.c_str(), 0) == 0) continue;
    UniqueFd sub(::openat(dir, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!sub) continue;
    RemoveContents(sub.get());
    ::unlinkat(dir, n.c_str(), AT_REMOVEDIR);
  }
}

}  // namespace

TempTree::~TempTree() {
  UniqueFd dir(::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (dir) RemoveContents(dir.get());
  ::rmdir(path_.c_str());
}

void TempTree::MakeDir(std::string_view rel) const { CHECK(::mkdir(Path(rel).c_str(), 0755) == 0); }

void TempTree::MakeFile(std::string_view rel, std::string_view content) const {
  UniqueFd fd(::open(Path(rel).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  CHECK(fd.valid());
  CHECK(::write(fd.get(), content.data(), content.size()) == static_cast<ssize_t>(content.size()));
}

void TempTree::MakeSymlink(std::string_view rel, std::string_view target) const {
  CHECK(::symlink(std::string(target).c_str(), Path(rel).c_str()) == 0);
}

void TempTree::MakeStandard() const {
  MakeFile("file.txt", "hello gofer\n");
  MakeDir("a");
  MakeDir("a/b");
  MakeFile("a/b/c.txt", "deep\n");
  MakeSymlink("a/link_to_c", "b/c.txt");
  MakeSymlink("escape", "../../etc");
  MakeSymlink("abs", "/etc/passwd");
  MakeDir("empty");
  CHECK(::mkfifo(Path("fifo").c_str(), 0644) == 0);
}

ServerThread::ServerThread(const std::string& root, ServerOptions opts)
    : ServerThread(std::vector<TestMount>{{root, opts.read_only}}, opts) {}

ServerThread::ServerThread(const std::vector<TestMount>& mounts, ServerOptions opts) {
  int sv[2];
  CHECK(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
  timeval tv{.tv_sec = 5, .tv_usec = 0};
  CHECK(::setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
  client_ = std::make_unique<Client>(UniqueFd(sv[0]));
  std::vector<ServedMount> served;
  for (const TestMount& m : mounts) {
    UniqueFd root_fd(::open(m.path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    CHECK(root_fd.valid());
    served.push_back(ServedMount{.root = std::move(root_fd), .read_only = m.read_only});
  }
  auto server = std::make_shared<Server>(UniqueFd(sv[1]), std::move(served), opts);
  thread_ = std::thread([this, server] { status_ = server->Serve(); });
}

ServerThread::~ServerThread() { Stop().IgnoreError(); }

absl::Status ServerThread::Stop() {
  if (!stopped_) {
    stopped_ = true;
    // Shut the channel down rather than destroying the Client: code under test may still
    // hold a Client* (its later calls fail with EIO).
    ::shutdown(client_->fd(), SHUT_RDWR);
    thread_.join();
  }
  return status_;
}

std::string RawCall(int fd, std::string_view msg, std::vector<UniqueFd>* fds) {
  if (SendMessage(fd, absl::MakeConstSpan(msg.data(), msg.size())) != 0) return "";
  std::string buf(wire::kMaxMessage, '\0');
  Received rx;
  if (RecvMessage(fd, absl::MakeSpan(buf.data(), buf.size()), &rx) != 0 || rx.eof) return "";
  buf.resize(rx.size);
  if (fds != nullptr) *fds = std::move(rx.fds);
  return buf;
}

std::string Request(uint16_t op, uint32_t tag, std::string_view body) {
  std::string out;
  wire::Writer w(&out);
  w.Begin(op, tag);
  w.PutBytes(body);
  w.Finish();
  return out;
}

}  // namespace sentry::gofer::testing
