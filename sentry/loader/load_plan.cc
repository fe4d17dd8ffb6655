// PlanLoad and LoadBias (see load_plan.h).
// Owned by the sentry's execve path; any thread, no shared state.
#include "sentry/loader/load_plan.h"

#include <sys/mman.h>

namespace sentry::loader {

std::vector<MapOp> PlanLoad(const ElfFile& elf, uint64_t hint) {
  std::vector<MapOp> ops;
  ops.reserve(1 + 4 * elf.loads.size());
  const bool rel = elf.is_dyn;
  // In relative plans every address is an offset from the start of the reservation.
  const uint64_t origin = rel ? elf.min_vaddr : 0;
  if (rel) {
    uint64_t want = PageDown(hint);
    if (want != 0 && (want > kUserSpaceEnd || elf.max_vaddr > kUserSpaceEnd - want)) want = 0;
    ops.push_back(MapOp{.kind = MapOp::Kind::kReserve,
                        .addr = want == 0 ? 0 : want + elf.min_vaddr,
                        .len = elf.span(),
                        .prot = PROT_NONE});
  }
  auto add = [&](MapOp::Kind kind, uint64_t vaddr, uint64_t len, int prot, uint64_t off) {
    ops.push_back(MapOp{.kind = kind,
                        .relative = rel,
                        .addr = vaddr - origin,
                        .len = len,
                        .prot = prot,
                        .file_offset = off});
  };

  for (const LoadSegment& seg : elf.loads) {
    const uint64_t start = PageDown(seg.vaddr);
    const uint64_t file_end = seg.vaddr + seg.filesz;
    const uint64_t mem_end = seg.vaddr + seg.memsz;
    uint64_t anon_start = start;
    if (seg.filesz > 0) {
      const uint64_t file_map_end = PageUp(file_end);
      const bool zero_tail = seg.memsz > seg.filesz && file_end != file_map_end;
      const bool needs_write = zero_tail && !(seg.prot & PROT_WRITE);
      add(MapOp::Kind::kMapFile, start, file_map_end - start,
          needs_write ? (seg.prot | PROT_WRITE) : seg.prot, PageDown(seg.offset));
      if (zero_tail) {
        // Linux zeroes to the end of the page, even past memsz.
        add(MapOp::Kind::kZeroTail, file_end, file_map_end - file_end, 0, 0);
        if (needs_write) add(MapOp::Kind::kProtect, start, file_map_end - start, seg.prot, 0);
      }
      anon_start = file_map_end;
    }
    const uint64_t mem_map_end = PageUp(mem_end);
    if (mem_map_end > anon_start) {
      add(MapOp::Kind::kMapAnon, anon_start, mem_map_end - anon_start, seg.prot, 0);
    }
  }
  return ops;
}

uint64_t LoadBias(const ElfFile& elf, uint64_t reserve_result) {
  return elf.is_dyn ? reserve_result - elf.min_vaddr : 0;
}

}  // namespace sentry::loader
