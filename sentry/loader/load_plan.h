// PlanLoad: the list of memory operations that load a parsed ELF into a guest, plus the
// load-bias helpers. Pure logic owned by the sentry's execve path; the executor (platform
// side) performs the ops in order. Any thread.
#pragma once

#include <cstdint>
#include <vector>

#include "sentry/loader/elf_file.h"

namespace sentry::loader {

// One memory operation. Executor semantics, in plan order:
//   kReserve  mmap(addr /*hint, may be 0*/, len, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS); its
//             result R is the base of every `relative` op. Only first, only for ET_DYN.
//   kMapFile  mmap(A, len, prot, MAP_PRIVATE|MAP_FIXED, fd, file_offset)
//   kMapAnon  mmap(A, len, prot, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0)
//   kZeroTail write len zero bytes at A (the bss part of the last file page). The pages are
//             writable at that point: for a read-only segment the plan maps the file part
//             with PROT_WRITE added and restores the protection with a kProtect after.
//   kProtect  mprotect(A, len, prot)
// where A = relative ? R + addr : addr. Map/protect ops are page-aligned; kZeroTail is an
// exact byte range inside one page. For ET_EXEC all addresses are absolute (the linked
// addresses); the executor should refuse (ENOMEM) if [min_vaddr, max_vaddr) collides with
// the stub region rather than let MAP_FIXED replace it.
struct MapOp {
  enum class Kind : uint8_t { kReserve, kMapFile, kMapAnon, kZeroTail, kProtect };
  Kind kind = Kind::kReserve;
  bool relative = false;  // addr is an offset from the kReserve result
  uint64_t addr = 0;
  uint64_t len = 0;
  int prot = 0;
  uint64_t file_offset = 0;  // kMapFile only

  bool operator==(const MapOp&) const = default;
};

// Plans the loading of `elf` (as returned by ParseElf). For ET_DYN, `hint` is the desired
// load bias (0: let the kernel choose); the reservation asks for hint + min_vaddr and the
// gaps between segments stay reserved PROT_NONE. Ignored for ET_EXEC.
// Semantics as Linux: each PT_LOAD maps [page_down(vaddr), page_up(vaddr+filesz)) of the
// file from page_down(offset); if memsz > filesz the rest of the last file page is zeroed
// and anonymous pages cover up to page_up(vaddr+memsz). Later segments that share a page
// with an earlier one replace it (MAP_FIXED), exactly as in Linux.
std::vector<MapOp> PlanLoad(const ElfFile& elf, uint64_t hint);

// The address an op acts on, given the kReserve result (ignored for absolute ops).
inline uint64_t OpAddress(const MapOp& op, uint64_t reserve_result) {
  return op.relative ? reserve_result + op.addr : op.addr;
}

// ET_DYN: reserve_result - min_vaddr; ET_EXEC: 0.
uint64_t LoadBias(const ElfFile& elf, uint64_t reserve_result);
// Guest addresses once loaded with `bias`.
inline uint64_t EntryAddress(const ElfFile& elf, uint64_t bias) { return elf.entry + bias; }
// AT_PHDR; 0 if the program headers are not in memory.
inline uint64_t PhdrAddress(const ElfFile& elf, uint64_t bias) {
  return elf.phdr_vaddr == 0 ? 0 : elf.phdr_vaddr + bias;
}
// Where the heap (brk) starts: the page after the highest segment, as Linux (without its
// brk randomisation, which the caller may add).
inline uint64_t BrkStart(const ElfFile& elf, uint64_t bias) { return elf.max_vaddr + bias; }

}  // namespace sentry::loader
