// Entry point of the sentry process (our kernel), called by the launcher in the child it
// forks for the sentry. Runs on the sentry's only thread; returns the process exit code.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/unique_fd.h"

namespace sentry {

// A tmpfs to mount in the sandbox (`--tmpfs DST[:SIZE]`).
struct TmpfsMount {
  std::string target;       // absolute path of an existing directory in the sandbox
  uint64_t size_bytes = 0;  // data limit
};

// A host directory the gofer serves, mounted in the sandbox (`--mount SRC:DST[:ro|rw]`).
struct GoferMountOption {
  std::string target;        // absolute path in the sandbox (a missing last directory is
                             // stood in for by an empty one)
  bool read_only = true;
  uint32_t gofer_index = 0;  // the gofer's MOUNT index for it (1, 2, ...; 0 is the root)
  std::string source;        // the host path, as /proc/mounts shows it
};

// The sizes of the tmpfs mounts every sandbox gets unless --tmpfs names their targets.
inline constexpr uint64_t kDefaultShmSize = 64ull << 20;   // /dev/shm
inline constexpr double kDefaultDiskShare = 0.5;             // of RAM, without --disk

struct SentryOptions {
  std::vector<std::string> argv;  // argv[0] is the program path as the user gave it
  std::vector<std::string> envp;  // "K=V" strings for the guest
  std::string cwd = "/";          // working directory inside the sandbox
  bool strace = false;            // one decoded line per trapped syscall on stderr
  std::string platform = "seccomp";
  int log_level = 2;              // 0 debug, 1 info, 2 warning, 3 error
  std::vector<TmpfsMount> tmpfs;  // --tmpfs mounts, in command-line order
  std::vector<GoferMountOption> mounts;  // --mount, in command-line order
  uint64_t memory_limit_bytes = 0;  // --memory (the sandbox's cgroup limit); 0: none
  // --disk: the size of the root overlay's writable (in-memory) layer; 0: kDefaultDiskShare
  // of the host's RAM, like tmpfs's default.
  uint64_t disk_bytes = 0;
  // --audit-log: a host fd open for appending, owned by the sentry from SentryMain on; -1: none.
  int audit_fd = -1;
  // Containment (the launcher's sandbox sets it; never on the host): after opening its host
  // resources the sentry enters an empty root and keeps only CAP_SYS_ADMIN until the guest
  // init is forked (see SentryMain's start-up order).
  bool contain = false;
};

// Runs the guest described by `opts` with files served through `gofer_channel`. Stdio
// fds 0, 1, 2 of the calling process become the guest's stdio. Returns the guest init's
// status as an exit code: its exit code, or 128+N when it was killed by signal N; 125 for a
// sentry error (message printed), 126/127 like a shell when the program cannot be run.
int SentryMain(UniqueFd gofer_channel, const SentryOptions& opts);

// `sentry syscalls`: the compatibility table as Markdown.
void PrintSyscallTableMarkdown(std::string* out);

}  // namespace sentry
