// gofer::Server: serves one host directory tree over the gofer channel, one request at a time.
// Owned by the gofer process (GoferMain) or a test; all calls from one thread.
// Every message is hostile input: a bad one gets an error reply, never a crash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/unique_fd.h"
#include "gofer/channel.h"
#include "gofer/handle_table.h"
#include "gofer/wire.h"

namespace sentry::gofer {

struct ServerOptions {
  bool read_only = true;
  size_t max_handles = size_t{1} << 20;  // more live handles → ENFILE
};

class Server {
 public:
  // `channel`: the SOCK_SEQPACKET socket to the client. `root`: a directory fd (O_PATH is
  // enough) of the served tree; names are resolved only beneath it, one component at a time.
  Server(UniqueFd channel, UniqueFd root, ServerOptions opts = {});

  // Answers requests until the client closes the channel (OK), or the channel fails.
  absl::Status Serve();
  // Receives and answers one message. False when the channel reached EOF.
  absl::StatusOr<bool> ServeOne();

  size_t handle_count() const { return table_.size(); }

 private:
  // Builds the reply to `msg` in reply_ (and reply_fd_ for OPEN).
  void HandleMessage(absl::Span<const char> msg, const Received& rx);

  // Op handlers: parse `body`, append the reply body to `out`; return an errno (0 = ok).
  int Mount(wire::Reader& body, wire::Writer& out);
  int Walk(wire::Reader& body, wire::Writer& out);
  int Open(wire::Reader& body, wire::Writer& out);
  int ReadDir(wire::Reader& body, wire::Writer& out);
  int ReadLink(wire::Reader& body, wire::Writer& out);
  int Stat(wire::Reader& body, wire::Writer& out);
  int Close(wire::Reader& body, wire::Writer& out);

  UniqueFd channel_;
  UniqueFd root_;
  ServerOptions opts_;
  HandleTable table_;
  std::vector<char> recv_buf_;
  std::string reply_;
  UniqueFd reply_fd_;
};

}  // namespace sentry::gofer
