// Test helpers for the gofer: a temporary host tree and a Server running on a thread with a
// Client on the other end of a socketpair. Test-only; used from the test's main thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "common/unique_fd.h"
#include "gofer/client.h"
#include "gofer/server.h"

namespace sentry::gofer::testing {

// A directory under /tmp, removed (recursively, without following links) on destruction.
class TempTree {
 public:
  TempTree();
  ~TempTree();
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;

  const std::string& path() const { return path_; }
  std::string Path(std::string_view rel) const { return path_ + "/" + std::string(rel); }
  void MakeDir(std::string_view rel) const;
  void MakeFile(std::string_view rel, std::string_view content) const;
  void MakeSymlink(std::string_view rel, std::string_view target) const;

  // The standard tree of the gofer tests:
  //   file.txt ("hello gofer\n"), a/b/c.txt ("deep\n"), a/link_to_c -> b/c.txt,
  //   escape -> ../../etc, abs -> /etc/passwd, empty/, fifo (a FIFO)
  void MakeStandard() const;

 private:
  std::string path_;
};

// One served tree for ServerThread.
struct TestMount {
  std::string path;
  bool read_only = true;
};

// A Server for `root` (or `mounts`) on its own thread; client() talks to it (5 s receive
// timeout).
class ServerThread {
 public:
  explicit ServerThread(const std::string& root, ServerOptions opts = {});
  explicit ServerThread(const std::vector<TestMount>& mounts, ServerOptions opts = {});
  ~ServerThread();  // Stop()s if still running

  // Valid until the ServerThread is destroyed (after Stop() its calls fail with EIO).
  Client& client() { return *client_; }
  int fd() const { return client_->fd(); }
  // Shuts the client's end down and waits for the server; returns Serve()'s status.
  absl::Status Stop();

 private:
  std::unique_ptr<Client> client_;
  std::thread thread_;
  absl::Status status_;
  bool stopped_ = false;
};

// Sends `msg` as one record on `fd` and returns the next record received (empty on
// timeout/EOF). Received fds go to `fds` if given (else they are closed).
std::string RawCall(int fd, std::string_view msg, std::vector<UniqueFd>* fds = nullptr);

// Builds a request header + body with the right size.
std::string Request(uint16_t op, uint32_t tag, std::string_view body = {});

template <typename T>
std::string_view Bytes(const T& v) {
  return std::string_view(reinterpret_cast<const char*>(&v), sizeof(T));
}

}  // namespace sentry::gofer::testing
