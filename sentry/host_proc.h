// The sentry's only way to read host files after its lockdown: files of its own /proc (the
// sandbox's pid namespace), opened as openat(proc_dirfd, "PID/FILE", O_RDONLY|O_CLOEXEC),
// which the sentry's seccomp filter allows and nothing else. Sentry thread only.
#pragma once

#include <sys/types.h>

#include <cstdio>
#include <cstdint>
#include <string>
#include <string_view>

namespace sentry {

// The flags every host /proc open uses (the filter checks them).
inline constexpr int kHostProcOpenFlags = 02000000;  // O_RDONLY | O_CLOEXEC

// The directory fd of /proc, opened on first use (call it before the lockdown); -1 if /proc
// cannot be opened.
int HostProcFd();

// Opens /proc/<pid>/<file> (pid > 0) or /proc/<file> (pid == 0) read-only. `file` is a fixed
// name such as "status" or "cpuinfo": no "/" at its start, no "..". -1 with errno on failure.
int OpenHostProc(pid_t pid, const char* file);

// The same as a stdio stream ("re"); nullptr on failure. The caller fcloses it.
FILE* FopenHostProc(pid_t pid, const char* file);

// The whole file; false on failure.
bool ReadHostProc(pid_t pid, const char* file, std::string* out);

// A signal mask line of a /proc/<tid>/status text ("\nSigBlk:", "\nSigCgt:", ...: the key
// with its newline), bit sig-1; 0 if missing.
uint64_t StatusSigMask(const std::string& status, std::string_view key);

}  // namespace sentry
