// Test support: plan sanity checks and a simulated executor (see plan_checker.h).
// Used by tests and the fuzz target only; single-threaded.
#include "sentry/loader/plan_checker.h"

#include <fmt/core.h>
#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <utility>

namespace sentry::loader::testing {
namespace {

using Kind = MapOp::Kind;

bool Aligned(uint64_t v) { return v % kPageSize == 0; }

constexpr std::array<uint8_t, kPageSize> kZeroPage{};

struct Page {
  std::array<uint8_t, kPageSize> data{};
  int prot = PROT_NONE;
};

}  // namespace

std::string CheckPlan(const ElfFile& elf, const std::vector<MapOp>& ops) {
  if (ops.size() > 1 + 4 * elf.loads.size()) return "too many ops";
  if (elf.is_dyn) {
    if (ops.empty() || ops[0].kind != Kind::kReserve) return "ET_DYN plan must start with kReserve";
    if (ops[0].relative || ops[0].len != elf.span() || ops[0].prot != PROT_NONE)
      return "bad kReserve";
  }
  std::vector<std::pair<uint64_t, uint64_t>> mapped;  // [begin, end) in plan coordinates
  const uint64_t lo = elf.is_dyn ? 0 : elf.min_vaddr;
  const uint64_t hi = elf.is_dyn ? elf.span() : elf.max_vaddr;
  for (size_t i = elf.is_dyn ? 1 : 0; i < ops.size(); ++i) {
    const MapOp& op = ops[i];
    const std::string where = fmt::format("op {}: ", i);
    if (op.kind == Kind::kReserve) return where + "extra kReserve";
    if (op.relative != elf.is_dyn) return where + "wrong relative flag";
    if (op.len == 0) return where + "empty";
    if (op.addr < lo || op.addr > hi || op.len > hi - op.addr) return where + "outside the span";
    if (op.kind == Kind::kZeroTail) {
      if (Aligned(op.addr) || !Aligned(op.addr + op.len) || op.len >= kPageSize)
        return where + "zero tail is not the rest of one page";
      continue;
    }
    if (!Aligned(op.addr) || !Aligned(op.len)) return where + "not page-aligned";
    if (op.kind == Kind::kMapFile && !Aligned(op.file_offset)) return where + "unaligned offset";
    if (op.kind == Kind::kMapFile || op.kind == Kind::kMapAnon)
      mapped.emplace_back(op.addr, op.addr + op.len);
  }
  std::sort(mapped.begin(), mapped.end());
  std::vector<std::pair<uint64_t, uint64_t>> merged;
  for (const auto& r : mapped) {
    if (!merged.empty() && r.first <= merged.back().second) {
      merged.back().second = std::max(merged.back().second, r.second);
    } else {
      merged.push_back(r);
    }
  }
  const uint64_t origin = elf.is_dyn ? elf.min_vaddr : 0;
  for (size_t s = 0; s < elf.loads.size(); ++s) {
    const LoadSegment& seg = elf.loads[s];
    const uint64_t b = PageDown(seg.vaddr) - origin;
    const uint64_t e = PageUp(seg.vaddr + seg.memsz) - origin;
    bool covered = std::any_of(merged.begin(), merged.end(),
                               [&](const auto& r) { return r.first <= b && e <= r.second; });
    if (!covered) return fmt::format("segment {} not covered by map ops", s);
  }
  return "";
}

std::string SimulatePlan(const ElfFile& elf, const std::vector<MapOp>& ops,
                         const std::vector<uint8_t>& file, uint64_t reserve_result,
                         uint64_t max_pages) {
  if (elf.span() / kPageSize > max_pages) return "";
  std::map<uint64_t, Page> mem;  // by page address
  uint64_t base = 0;
  for (size_t i = 0; i < ops.size(); ++i) {
    const MapOp& op = ops[i];
    const std::string where = fmt::format("op {}: ", i);
    if (op.kind == Kind::kReserve) {
      base = reserve_result;
      for (uint64_t a = 0; a < op.len; a += kPageSize) mem[base + a] = Page{};
      continue;
    }
    const uint64_t addr = OpAddress(op, base);
    switch (op.kind) {
      case Kind::kMapFile:
        if (op.file_offset > PageUp(file.size()) || op.len > PageUp(file.size()) - op.file_offset)
          return where + "maps whole pages past EOF (SIGBUS)";
        for (uint64_t a = 0; a < op.len; a += kPageSize) {
          Page p;
          p.prot = op.prot;
          const uint64_t off = op.file_offset + a;
          if (off < file.size()) {
            std::memcpy(p.data.data(), file.data() + off,
                        std::min<uint64_t>(kPageSize, file.size() - off));
          }
          mem[addr + a] = p;
        }
        break;
      case Kind::kMapAnon:
        for (uint64_t a = 0; a < op.len; a += kPageSize) mem[addr + a] = Page{.prot = op.prot};
        break;
      case Kind::kZeroTail: {
        auto it = mem.find(PageDown(addr));
        if (it == mem.end()) return where + "zeroing unmapped memory";
        if (!(it->second.prot & PROT_WRITE)) return where + "zeroing a read-only page";
        std::memset(it->second.data.data() + addr % kPageSize, 0, op.len);
        break;
      }
      case Kind::kProtect:
        for (uint64_t a = 0; a < op.len; a += kPageSize) {
          auto it = mem.find(addr + a);
          if (it == mem.end()) return where + "mprotect of unmapped memory";
          it->second.prot = op.prot;
        }
        break;
      case Kind::kReserve:
        break;
    }
  }

  const uint64_t bias = LoadBias(elf, base);
  for (size_t s = 0; s < elf.loads.size(); ++s) {
    const LoadSegment& seg = elf.loads[s];
    // A later segment's first page replaces whatever this one put there.
    uint64_t limit = seg.vaddr + seg.memsz;
    if (s + 1 < elf.loads.size()) limit = std::min(limit, PageDown(elf.loads[s + 1].vaddr));
    for (uint64_t v = PageDown(seg.vaddr); v < PageUp(limit); v += kPageSize) {
      auto it = mem.find(v + bias);
      if (it == mem.end()) return fmt::format("segment {}: page {:#x} unmapped", s, v);
      if (it->second.prot != seg.prot)
        return fmt::format("segment {}: page {:#x} prot {} != {}", s, v, it->second.prot, seg.prot);
      const uint64_t from = std::max(v, seg.vaddr);
      const uint64_t to = std::min(v + kPageSize, limit);
      const uint64_t split = std::clamp(seg.vaddr + seg.filesz, from, to);
      const uint8_t* page = it->second.data.data();
      if (std::memcmp(page + (from - v), file.data() + seg.offset + (from - seg.vaddr),
                      split - from))
        return fmt::format("segment {}: file bytes differ in page {:#x}", s, v);
      if (std::memcmp(page + (split - v), kZeroPage.data(), to - split))
        return fmt::format("segment {}: bss not zero in page {:#x}", s, v);
    }
    // Linux also zeroes the rest of the last file page.
    if (seg.memsz > seg.filesz && (seg.vaddr + seg.filesz) % kPageSize != 0 &&
        PageUp(seg.vaddr + seg.filesz) <= PageUp(limit)) {
      const uint64_t z = seg.vaddr + seg.filesz;
      auto it = mem.find(PageDown(z) + bias);
      if (it == mem.end()) return fmt::format("segment {}: tail page unmapped", s);
      if (std::memcmp(it->second.data.data() + z % kPageSize, kZeroPage.data(),
                      kPageSize - z % kPageSize))
        return fmt::format("segment {}: tail not zeroed", s);
    }
  }
  // Gaps between segments stay reserved and inaccessible.
  if (elf.is_dyn) {
    for (const auto& [addr, page] : mem) {
      const uint64_t v = addr - bias;
      bool in_seg = std::any_of(elf.loads.begin(), elf.loads.end(), [&](const LoadSegment& seg) {
        return PageDown(seg.vaddr) <= v && v < PageUp(seg.vaddr + seg.memsz);
      });
      if (!in_seg && page.prot != PROT_NONE) return fmt::format("gap page {:#x} accessible", v);
    }
  }
  return "";
}

}  // namespace sentry::loader::testing
