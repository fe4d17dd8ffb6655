// ElfFile and ParseElf: validates a (hostile) ELF64 x86-64 executable and extracts what the
// loader needs. Pure logic, owned by the sentry's execve path; callable from any thread
// (no shared state; the ReadAtFn decides what the reads touch).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/sys_result.h"

namespace sentry::loader {

inline constexpr uint64_t kPageSize = 4096;
// End of the x86-64 user address space as Linux sees it (TASK_SIZE, 47-bit VA).
inline constexpr uint64_t kUserSpaceEnd = 0x7ffffffff000ULL;
// Largest page-aligned span of all PT_LOADs we accept.
inline constexpr uint64_t kMaxLoadSpan = 1ULL << 46;
// Most program headers we accept (the table is read into memory).
inline constexpr uint16_t kMaxPhnum = 1024;
// Longest PT_INTERP including its NUL (PATH_MAX).
inline constexpr uint64_t kMaxInterpLen = 4096;

constexpr uint64_t PageDown(uint64_t v) { return v & ~(kPageSize - 1); }
// Callers guarantee v <= UINT64_MAX - kPageSize + 1 (all users check against kUserSpaceEnd).
constexpr uint64_t PageUp(uint64_t v) { return PageDown(v + kPageSize - 1); }

// Reads up to len bytes at offset; returns bytes read (short only at EOF) or -errno.
using ReadAtFn = std::function<int64_t(void* buf, size_t len, uint64_t off)>;

// One PT_LOAD, byte-exact as in the file (not page-rounded).
struct LoadSegment {
  uint64_t vaddr = 0;
  uint64_t memsz = 0;
  uint64_t offset = 0;
  uint64_t filesz = 0;
  int prot = 0;  // PROT_READ/WRITE/EXEC from p_flags
};

struct ElfFile {
  bool is_dyn = false;      // ET_DYN (PIE or shared object) vs ET_EXEC
  uint64_t entry = 0;       // e_entry (unbiased)
  uint64_t phdr_vaddr = 0;  // program headers in memory (PT_PHDR, or derived from the PT_LOAD
                            // covering e_phoff); 0 if they are not loaded
  uint16_t phnum = 0;
  uint16_t phentsize = 0;
  std::string interp;              // PT_INTERP, empty if none
  bool exec_stack = false;         // PT_GNU_STACK has PF_X (absent: false, as x86-64 Linux >= 5.8)
  uint64_t min_vaddr = 0;          // page_down(first PT_LOAD vaddr)
  uint64_t max_vaddr = 0;          // page_up(end of last PT_LOAD)
  std::vector<LoadSegment> loads;  // sorted by vaddr, non-overlapping, memsz > 0

  uint64_t span() const { return max_vaddr - min_vaddr; }
};

// Parses and validates an ELF file of file_size bytes read through `read`.
// Errors: ENOEXEC for anything malformed or not for this machine, ENOMEM for address ranges
// that cannot fit in user space, or the errno a failed read reported. Reads at most
// 64 + kMaxPhnum * 56 + kMaxInterpLen bytes whatever the headers say.
ErrnoOr<ElfFile> ParseElf(const ReadAtFn& read, uint64_t file_size);

}  // namespace sentry::loader
