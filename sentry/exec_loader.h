// ExecLoader: emulated execve. Resolves the program in the VFS (ELF or "#!" script, up to
// 4 nested), and loads it into a guest whose address space holds only the stub: the load
// plan (mmaps of segments, bss, closes) is written into the stub's scratch page and run by
// the stub itself, then it jumps to the entry with the stack the sentry built.
// Sentry thread only.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/sys_result.h"
#include "sentry/loader/elf_file.h"
#include "vfs/vfs.h"

namespace sentry {

class Kernel;
struct Process;

struct ExecRequest {
  std::string path;
  std::vector<std::string> argv;
  std::vector<std::string> envp;
};

// A program resolved and validated, ready to be mapped.
struct ResolvedExec {
  std::string path;                 // the path as given (AT_EXECFN)
  std::string exe_path;             // absolute sandbox path of the final ELF (/proc/PID/exe)
  std::vector<std::string> argv;    // after "#!" rewriting
  std::vector<std::string> envp;
  vfs::FileRef main_file;
  loader::ElfFile main_elf;
  vfs::FileRef interp_file;         // null for static programs
  loader::ElfFile interp_elf;
};

// Errors as execve(2) reports them: ENOENT, EACCES, ENOEXEC, ELOOP (too many "#!"), ...
ErrnoOr<ResolvedExec> ResolveExecutable(Kernel& k, Process& p, const ExecRequest& req);

// Writes the load plan and the stack into the guest `tid`, a fresh stub image waiting in its
// plan request (stub_layout.h) with the kernel's initial stack pointer `kernel_sp`. The
// caller answers the request with 0, and the stub runs the plan. Safe to repeat when that
// answer does not land (the request is restarted with the same stack pointer).
SysResult LoadIntoGuest(Kernel& k, Process& p, pid_t tid, const ResolvedExec& exe,
                        uint64_t kernel_sp);

// Drops the files kept open for the load plan once the stub has closed its copies.
void ReleaseLoaderFiles(Process& p);

}  // namespace sentry
