// Zombies: a guest process whose threads have all exited stays in the Kernel's process table
// until its parent reaps it on the host (wait4/waitid pass through), checked lazily against
// the host's /proc (see docs/architecture.md, "Zombies"). Sentry thread only.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string_view>

namespace sentry {

// The state letter and start time (field 22, clock ticks since boot) of a host
// /proc/PID/stat line; false when the line does not parse.
bool StatStateAndStart(std::string_view line, char* state, uint64_t* start_time);

// Whether the host process `host_pid` is still the zombie that started at `start_time`
// (state Z or X): false once its parent has reaped it, also when the pid was reused since.
bool HostZombieAlive(pid_t host_pid, uint64_t start_time);

// The start time of the host process `host_pid` if it is a zombie now; 0 otherwise (gone,
// already reaped, or still running).
uint64_t HostZombieStartTime(pid_t host_pid);

}  // namespace sentry
