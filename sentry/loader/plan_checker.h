// Test support: checks that a load plan is sane (structure) and correct (by executing it on
// a simulated address space). Used by loader_test and the ELF fuzz target; single-threaded.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sentry/loader/elf_file.h"
#include "sentry/loader/load_plan.h"

namespace sentry::loader::testing {

// Structural invariants for any plan (cheap, no memory proportional to the span):
// reservation first and only for ET_DYN, page-aligned map/protect ops inside the span,
// zero-tail ranges inside one page, every segment's pages covered by map ops.
// Returns "" when sane, else a description of the first problem.
std::string CheckPlan(const ElfFile& elf, const std::vector<MapOp>& ops);

// Executes the plan on a simulated address space backed by `file` (as mmap would: private
// copies, zero past EOF, mapping whole pages past EOF is an error) and checks every byte
// and page protection each segment promises (bytes in pages a later segment replaces are
// skipped). reserve_result is what the kReserve "returns". Returns "" when correct.
// Skips (returns "") plans whose span exceeds max_pages.
std::string SimulatePlan(const ElfFile& elf, const std::vector<MapOp>& ops,
                         const std::vector<uint8_t>& file, uint64_t reserve_result,
                         uint64_t max_pages = 4096);

}  // namespace sentry::loader::testing
