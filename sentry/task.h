// Process and Task: the sentry's view of a guest process (fd table, fs context,
// credentials, mirrors, rlimits) and of one guest thread (its fiber and pending syscall).
// Owned by the Kernel; sentry thread only.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>
#include <sys/user.h>

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "platform/platform.h"
#include "sentry/fiber.h"
#include "vfs/vfs.h"

namespace sentry {

class Kernel;
struct CttyOpenState;  // ctty_open.h

struct Process {
  int pid = 0;           // sandbox pid (tgid) as the guest sees it
  pid_t host_pid = 0;    // pid in the sentry's pid namespace
  int ppid = 0;
  std::shared_ptr<vfs::FdTable> fds;
  vfs::FsContext fs;
  vfs::Credentials creds;
  std::array<rlimit, RLIM_NLIMITS> rlimits{};
  std::string exe_path;
  std::vector<std::string> argv, envp;
  std::string comm;
  int nice = 0;          // virtual nice value (getpriority/setpriority)
  int pdeathsig = 0;     // PR_SET_PDEATHSIG: sent when the parent process is gone; 0 after fork
  // Guest fd number -> the description whose host fd is installed at that same number in
  // the guest's host fd table (the mmap mirror; see docs/architecture.md).
  std::map<int, vfs::FileRef> mirrors;
  // During exec: host fds the stub's load plan maps, by the fd number the plan uses.
  std::map<int, int> loader_fds;
  std::map<int, bool> loader_fds_installed;
  std::vector<vfs::FileRef> loader_files;  // keeps the host fds above open
  bool loading = false;
  int exit_status = 0;
  // Every thread has exited, the parent has not reaped it yet: kept (files, memory and
  // argv released) so that /proc shows it as Z until the host's zombie is gone (zombie.h).
  bool zombie = false;
  uint64_t host_start_time = 0;  // the zombie's host start time (tells a reused pid apart)
};

struct ResolvedExec;

// Where a guest execve is in its sequence (see exec_loader.h).
enum class ExecState {
  kNone,
  kNeedStubFd,    // the execve became a trapped carrier syscall: install the stub fd
  kAwaitTrap,     // carrier answered; the thread stops at the stub's int3 next
  kStubExec,      // the thread runs execveat(stub): let that trace stop through
};

struct Task {
  pid_t host_tid = 0;
  int tid = 0;
  Process* process = nullptr;
  std::unique_ptr<Fiber> fiber;
  // The request the fiber is handling or about to handle.
  std::optional<platform::SyscallRequest> current;
  // A request that arrived while `current` was still blocked (the old one was cancelled).
  std::optional<platform::SyscallRequest> next;
  bool busy = false;       // fiber is inside a handler
  bool cancelled = false;  // the current request was interrupted (a newer one arrived)
  bool ready = false;      // queued on the scheduler
  bool retiring = false;   // the thread is gone: an idle TaskLoop returns instead of waiting
  bool awaiting_first_stop = false;  // a new task, held until its initial ptrace stop
  ExecState exec_state = ExecState::kNone;
  std::shared_ptr<ResolvedExec> pending_exec;
  user_regs_struct exec_saved_regs{};  // to fail the execve cleanly if the stub exec fails
  int post_signal = 0;     // a signal to raise in the thread once the reply is sent (SIGPIPE)
  // The answer to a call whose reply did not land because a signal interrupted the
  // notification (interrupted_call.cc). A committed result reaches the guest late instead
  // of being undone: at the thread's signal-delivery stop it becomes the call's return value
  // (as on Linux, where the call completes and then the handler runs), or, when the thread
  // restarts the call without a stop (another thread took the signal), the restart gets it
  // without running again. An EINTR answer (a wait the signal ended) only picks the restart
  // rule at the stop.
  struct LateResult {
    int64_t nr = -1;  // -1: none
    uint64_t ip = 0;
    uint64_t args[6] = {};
    int64_t result = 0;
  } late;
  // Set while a signal-delivery stop ends this thread's parked call (interrupted_call.cc):
  // the handler's waits return as cancelled, but what it committed still counts.
  bool interrupted_by_stop = false;
  // The last call the sentry let the host run (CONTINUE): a signal may interrupt it there.
  int64_t continued_nr = -1;
  uint64_t continued_ip = 0;
  // What the current read consumed (set by ReadToGuest, DESIGN §5): if its reply does not
  // land (a signal interrupted the notification), Kernel::UndoRead gives it back to the file
  // (a file offset moves back; stream bytes, which are in the I/O buffer while `in_buffer`,
  // are pushed back).
  struct ReadUndo {
    vfs::FileRef file;
    size_t len = 0;
    bool in_buffer = true;  // the I/O buffer holds exactly the `len` bytes, in order
    int64_t restore_offset = -1;  // getdents: the directory position to go back to
  } read_undo;
  // Bytes written cannot be taken back. A write/writev whose reply did not land (a signal
  // interrupted the notification after the bytes went out) is remembered; when the same
  // thread's next write-family call is that very call again (number, fd, buffer, count and
  // call site: the kernel's restart of it), it gets the remembered result and nothing is
  // written twice. `write_done` is the current call's record, moved to `write_replay` by
  // Kernel::HandleSyscall when the reply fails.
  struct WriteRecord {
    vfs::FileRef file;
    int nr = -1;
    uint64_t args[3] = {};
    uint64_t ip = 0;
    int64_t result = 0;
  } write_done, write_replay;
  // Set by a socket handler whose commit is more than bytes (a datagram with its sender,
  // rights installed as fds, an urgent byte, an accepted connection: SocketUndo in
  // handlers_socket_util.h). Kernel::HandleSyscall calls it after the reply; it gives the
  // commit back when the reply did not land.
  void (*after_reply)(Task& t, bool delivered) = nullptr;
  // An open taking its controlling terminal, between its stops (ctty_open.h); usually null.
  std::shared_ptr<CttyOpenState> ctty_open;
  // A call with a signal mask of its own (ppoll, pselect6, epoll_pwait, epoll_pwait2) that
  // differs from the thread's: where swapping the two masks stands (call_sigmask.h).
  struct CallMask {
    enum class State {
      kNone,
      kApplyAtStop,        // interrupted: at its stop `mask` goes in, the call restarts
      kApplied,            // the thread blocks `mask`; the call waits under it
      kRestoreAtStop,      // the call ended: at its stop `saved` goes back, it returns `result`
      kAwaitHandlerEntry,  // single-stepping into the handler of `sig` (its frame gets `saved`)
    };
    State state = State::kNone;
    uint64_t mask = 0;   // the call's mask (bit sig-1)
    uint64_t saved = 0;  // the thread's own mask, in place again when the call returns
    bool have_saved = false;  // kApplyAtStop: `saved` is known already
    int64_t nr = -1;     // the call: number and call site
    uint64_t ip = 0;
    int64_t result = 0;    // kRestoreAtStop: the call's return value ...
    bool restart = false;  // ... or none: the call restarts (the mask was found stale)
    int sig = 0;           // kAwaitHandlerEntry
  } call_mask;
  // The fiber runs on behalf of the stopped thread (ResolveInterruptedCall): ptrace requests
  // that need a stop can be made at once.
  bool at_stop = false;
};

}  // namespace sentry
