// The stub image embedded in the sentry binary and the memfd it is executed from.
// Owned by the platform; call from the sentry thread during start-up.
#pragma once

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/unique_fd.h"
#include "platform/stub/stub_layout.h"

namespace sentry::platform {

inline constexpr uint64_t kStubBase = STUB_BASE;
inline constexpr uint64_t kStubLoadEntry = STUB_BASE + STUB_LOAD_OFFSET;
inline constexpr int kStubPlanRequestNr = STUB_PLAN_REQUEST_NR;
inline constexpr uint64_t kStubSyscallInsn = STUB_BASE + STUB_SYSCALL_OFFSET;
inline constexpr uint64_t kStubScratch = STUB_SCRATCH;
inline constexpr uint64_t kStubScratchSize = STUB_SCRATCH_SIZE;

// Host fd number at which every guest process holds the stub memfd (not close-on-exec, so it
// survives the execveat that runs it, and forks inherit it): a guest execve becomes a host
// execveat of this fd right at its trace stop. The guest cannot reach it: every fd syscall
// is answered from its virtual fd table.
inline constexpr int kGuestStubFd = 1000;

// The raw ELF bytes of the stub.
std::string_view StubImage();
// A sealed, read-only memfd holding the stub image (close-on-exec).
absl::StatusOr<UniqueFd> MakeStubMemfd();

}  // namespace sentry::platform
