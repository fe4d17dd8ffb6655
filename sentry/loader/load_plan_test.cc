// Tests for PlanLoad and the load-bias helpers: exact op lists for hand-built files and
// simulated execution of the plans. Single-threaded unit test.
#include "sentry/loader/load_plan.h"

#include <sys/mman.h>

#include "common/log.h"
#include "gtest/gtest.h"
#include "sentry/loader/elf_test_util.h"
#include "sentry/loader/plan_checker.h"

namespace sentry::loader {
namespace {

using Kind = MapOp::Kind;
using testing::Phdr;
using testing::VectorReader;

constexpr int R = PROT_READ, W = PROT_WRITE, X = PROT_EXEC;

ElfFile MustParse(const std::vector<uint8_t>& file) {
  auto elf = ParseElf(VectorReader(file), file.size());
  CHECK(elf.ok());
  return *elf;
}

MapOp Op(Kind kind, bool rel, uint64_t addr, uint64_t len, int prot, uint64_t off = 0) {
  return MapOp{
      .kind = kind, .relative = rel, .addr = addr, .len = len, .prot = prot, .file_offset = off};
}

TEST(PlanLoadTest, StaticExecIsAbsolute) {
  auto file = testing::MakeStaticExec();
  ElfFile elf = MustParse(file);
  auto ops = PlanLoad(elf, 0x12345000);  // hint ignored
  std::vector<MapOp> want = {
      Op(Kind::kMapFile, false, 0x400000, 0x1000, R, 0),
      Op(Kind::kMapFile, false, 0x401000, 0x1000, R | X, 0x1000),
      Op(Kind::kMapFile, false, 0x403000, 0x1000, R | W, 0x2000),
      Op(Kind::kZeroTail, false, 0x403130, 0x1000 - 0x130, 0),
      Op(Kind::kMapAnon, false, 0x404000, 0x2000, R | W),
  };
  EXPECT_EQ(ops, want);
  EXPECT_EQ(testing::CheckPlan(elf, ops), "");
  EXPECT_EQ(testing::SimulatePlan(elf, ops, file, 0), "");
  EXPECT_EQ(LoadBias(elf, 0), 0u);
  EXPECT_EQ(EntryAddress(elf, 0), 0x401000u);
  EXPECT_EQ(PhdrAddress(elf, 0), 0x400040u);
  EXPECT_EQ(BrkStart(elf, 0), 0x406000u);
}

TEST(PlanLoadTest, PieIsRelativeToReservation) {
  auto file = testing::MakePie();
  ElfFile elf = MustParse(file);
  auto ops = PlanLoad(elf, 0x555555554000);
  std::vector<MapOp> want = {
      Op(Kind::kReserve, false, 0x555555554000, 0x3000, PROT_NONE),
      Op(Kind::kMapFile, true, 0, 0x1000, R, 0),
      Op(Kind::kMapFile, true, 0x1000, 0x1000, R | X, 0x1000),
      // bss ends inside the last file page: zero tail only, no anonymous pages.
      Op(Kind::kMapFile, true, 0x2000, 0x1000, R | W, 0x1000),
      Op(Kind::kZeroTail, true, 0x2e00, 0x200, 0),
  };
  EXPECT_EQ(ops, want);
  EXPECT_EQ(testing::CheckPlan(elf, ops), "");
  EXPECT_EQ(testing::SimulatePlan(elf, ops, file, 0x555555554000), "");
  const uint64_t bias = LoadBias(elf, 0x555555554000);
  EXPECT_EQ(bias, 0x555555554000u);
  EXPECT_EQ(EntryAddress(elf, bias), 0x555555555000u);
  EXPECT_EQ(PhdrAddress(elf, bias), 0x555555554040u);
  EXPECT_EQ(BrkStart(elf, bias), 0x555555557000u);
  EXPECT_EQ(OpAddress(ops[3], 0x555555554000), 0x555555556000u);
}

TEST(PlanLoadTest, ZeroHintLetsTheKernelChoose) {
  ElfFile elf = MustParse(testing::MakePie());
  EXPECT_EQ(PlanLoad(elf, 0)[0].addr, 0u);
  // A hint that cannot hold the span is dropped rather than overflowing.
  EXPECT_EQ(PlanLoad(elf, kUserSpaceEnd - 0x1000)[0].addr, 0u);
  EXPECT_EQ(PlanLoad(elf, ~uint64_t{0})[0].addr, 0u);
}

TEST(PlanLoadTest, DynWithNonZeroMinVaddr) {
  // A prelinked-style ET_DYN whose first segment is at 0x10000: bias = result - 0x10000.
  std::vector<Elf64_Phdr> ph = {Phdr(PT_LOAD, PF_R | PF_X, 0, 0x10000, 0x800, 0x800),
                                Phdr(PT_LOAD, PF_R | PF_W, 0x800, 0x12800, 0x100, 0x100)};
  auto file = testing::BuildElf(ET_DYN, 0x10100, ph, 0x900);
  ElfFile elf = MustParse(file);
  EXPECT_EQ(elf.min_vaddr, 0x10000u);
  auto ops = PlanLoad(elf, 0x7f0000000000);
  EXPECT_EQ(ops[0].addr, 0x7f0000010000u);
  EXPECT_EQ(ops[0].len, 0x3000u);
  EXPECT_EQ(ops[1], Op(Kind::kMapFile, true, 0, 0x1000, R | X, 0));
  EXPECT_EQ(ops[2], Op(Kind::kMapFile, true, 0x2000, 0x1000, R | W, 0));
  EXPECT_EQ(LoadBias(elf, 0x7f0000010000), 0x7f0000000000u);
  EXPECT_EQ(testing::CheckPlan(elf, ops), "");
  EXPECT_EQ(testing::SimulatePlan(elf, ops, file, 0x7f0000010000), "");
}

TEST(PlanLoadTest, ReadOnlyBssIsZeroedThroughATemporaryWritableMapping) {
  std::vector<Elf64_Phdr> ph = {Phdr(PT_LOAD, PF_R, 0x40, 0x400040, 0x100, 0x3000)};
  auto file = testing::BuildElf(ET_EXEC, 0x400040, ph, 0x140);
  ElfFile elf = MustParse(file);
  auto ops = PlanLoad(elf, 0);
  std::vector<MapOp> want = {
      Op(Kind::kMapFile, false, 0x400000, 0x1000, R | W, 0),
      Op(Kind::kZeroTail, false, 0x400140, 0x1000 - 0x140, 0),
      Op(Kind::kProtect, false, 0x400000, 0x1000, R),
      Op(Kind::kMapAnon, false, 0x401000, 0x3000, R),
  };
  EXPECT_EQ(ops, want);
  EXPECT_EQ(testing::SimulatePlan(elf, ops, file, 0), "");
}

TEST(PlanLoadTest, AnonymousOnlySegmentAndPageEndBss) {
  std::vector<Elf64_Phdr> ph = {
      Phdr(PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x1000, 0x1000),
      Phdr(PT_LOAD, PF_R | PF_W, 0x1000, 0x401000, 0x1000, 0x1800),  // file part page-exact
      Phdr(PT_LOAD, PF_R | PF_W, 0x10, 0x500010, 0, 0x10),           // bss only
  };
  auto file = testing::BuildElf(ET_EXEC, 0x400100, ph, 0x2000);
  ElfFile elf = MustParse(file);
  auto ops = PlanLoad(elf, 0);
  std::vector<MapOp> want = {
      Op(Kind::kMapFile, false, 0x400000, 0x1000, R | X, 0),
      Op(Kind::kMapFile, false, 0x401000, 0x1000, R | W, 0x1000),
      Op(Kind::kMapAnon, false, 0x402000, 0x1000, R | W),
      Op(Kind::kMapAnon, false, 0x500000, 0x1000, R | W),
  };
  EXPECT_EQ(ops, want);
  EXPECT_EQ(testing::CheckPlan(elf, ops), "");
  EXPECT_EQ(testing::SimulatePlan(elf, ops, file, 0), "");
}

TEST(PlanLoadTest, SharedPagesFollowLinuxOrder) {
  std::vector<Elf64_Phdr> ph = {Phdr(PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x800, 0x900),
                                Phdr(PT_LOAD, PF_R | PF_W, 0xa00, 0x400a00, 0x100, 0x1900)};
  auto file = testing::BuildElf(ET_EXEC, 0x400100, ph, 0xb00);
  ElfFile elf = MustParse(file);
  auto ops = PlanLoad(elf, 0);
  EXPECT_EQ(testing::CheckPlan(elf, ops), "");
  EXPECT_EQ(testing::SimulatePlan(elf, ops, file, 0), "");
}

}  // namespace
}  // namespace sentry::loader
