// Tests for ParseElf: hand-built good and hostile ELF files, and real host binaries.
// Single-threaded unit test.
#include "sentry/loader/elf_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <cerrno>
#include <functional>
#include <string>

#include "common/unique_fd.h"
#include "gtest/gtest.h"
#include "sentry/loader/elf_test_util.h"
#include "sentry/loader/load_plan.h"
#include "sentry/loader/plan_checker.h"

namespace sentry::loader {
namespace {

using testing::EditEhdr;
using testing::EditPhdr;
using testing::MakePie;
using testing::MakeStaticExec;
using testing::Phdr;
using testing::VectorReader;

ErrnoOr<ElfFile> Parse(const std::vector<uint8_t>& file) {
  return ParseElf(VectorReader(file), file.size());
}

int ParseError(const std::vector<uint8_t>& file) { return Parse(file).error(); }

TEST(ParseElfTest, StaticExec) {
  auto file = MakeStaticExec();
  auto elf = Parse(file);
  ASSERT_TRUE(elf.ok()) << elf.error();
  EXPECT_FALSE(elf->is_dyn);
  EXPECT_EQ(elf->entry, 0x401000u);
  EXPECT_EQ(elf->phdr_vaddr, 0x400040u);  // derived from the first PT_LOAD
  EXPECT_EQ(elf->phnum, 4);
  EXPECT_EQ(elf->phentsize, sizeof(Elf64_Phdr));
  EXPECT_EQ(elf->interp, "");
  EXPECT_FALSE(elf->exec_stack);
  EXPECT_EQ(elf->min_vaddr, 0x400000u);
  EXPECT_EQ(elf->max_vaddr, 0x406000u);
  ASSERT_EQ(elf->loads.size(), 3u);
  EXPECT_EQ(elf->loads[0].prot, PROT_READ);
  EXPECT_EQ(elf->loads[1].prot, PROT_READ | PROT_EXEC);
  EXPECT_EQ(elf->loads[2].prot, PROT_READ | PROT_WRITE);
  EXPECT_EQ(elf->loads[2].vaddr, 0x403010u);
  EXPECT_EQ(elf->loads[2].offset, 0x2010u);
  EXPECT_EQ(elf->loads[2].filesz, 0x120u);
  EXPECT_EQ(elf->loads[2].memsz, 0x2400u);
}

TEST(ParseElfTest, PieWithInterpAndPhdr) {
  auto file = MakePie();
  auto elf = Parse(file);
  ASSERT_TRUE(elf.ok()) << elf.error();
  EXPECT_TRUE(elf->is_dyn);
  EXPECT_EQ(elf->entry, 0x1000u);
  EXPECT_EQ(elf->phdr_vaddr, 64u);
  EXPECT_EQ(elf->phnum, 6);
  EXPECT_EQ(elf->interp, testing::kPieInterp);
  EXPECT_TRUE(elf->exec_stack);
  EXPECT_EQ(elf->min_vaddr, 0u);
  EXPECT_EQ(elf->max_vaddr, 0x3000u);
  EXPECT_EQ(elf->loads.size(), 3u);
}

TEST(ParseElfTest, PhdrNotLoaded) {
  // Program headers at the end of the file, outside every PT_LOAD: AT_PHDR unknown.
  std::vector<Elf64_Phdr> ph = {Phdr(PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x100, 0x100)};
  auto file = testing::BuildElf(ET_EXEC, 0x400000, ph, 0x1000, 0x1000 - sizeof(Elf64_Phdr));
  auto elf = Parse(file);
  ASSERT_TRUE(elf.ok()) << elf.error();
  EXPECT_EQ(elf->phdr_vaddr, 0u);
}

TEST(ParseElfTest, EmptyLoadIsIgnored) {
  auto file = MakeStaticExec();
  EditPhdr(file, 3, [](Elf64_Phdr& p) { p = Phdr(PT_LOAD, PF_R, 0, 0x100000, 0, 0); });
  auto elf = Parse(file);
  ASSERT_TRUE(elf.ok()) << elf.error();
  EXPECT_EQ(elf->loads.size(), 3u);
}

TEST(ParseElfTest, LoadsMaySharePages) {
  // Byte-disjoint segments in the same page (old linkers): accepted, as Linux does.
  std::vector<Elf64_Phdr> ph = {Phdr(PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x800, 0x800),
                                Phdr(PT_LOAD, PF_R | PF_W, 0x800, 0x400800, 0x100, 0x900)};
  auto file = testing::BuildElf(ET_EXEC, 0x400100, ph, 0x900);
  auto elf = Parse(file);
  ASSERT_TRUE(elf.ok()) << elf.error();
  EXPECT_EQ(elf->max_vaddr, 0x402000u);
}

// --- hostile headers ---

TEST(ParseElfBadTest, NotElf) {
  std::vector<uint8_t> small(10, 0);
  EXPECT_EQ(ParseError(small), ENOEXEC);
  std::vector<uint8_t> text(4096, 'a');
  EXPECT_EQ(ParseError(text), ENOEXEC);
  auto file = MakeStaticExec();
  file[1] = 'X';
  EXPECT_EQ(ParseError(file), ENOEXEC);
  std::vector<uint8_t> empty;
  EXPECT_EQ(ParseError(empty), ENOEXEC);
}

TEST(ParseElfBadTest, WrongIdent) {
  for (int field : {EI_CLASS, EI_DATA, EI_VERSION}) {
    auto file = MakeStaticExec();
    file[field] = (field == EI_CLASS) ? ELFCLASS32 : (field == EI_DATA) ? ELFDATA2MSB : 2;
    EXPECT_EQ(ParseError(file), ENOEXEC) << field;
  }
  auto file = MakeStaticExec();
  EditEhdr(file, [](Elf64_Ehdr& e) { e.e_version = 0; });
  EXPECT_EQ(ParseError(file), ENOEXEC);
}

TEST(ParseElfBadTest, WrongMachineOrType) {
  auto file = MakeStaticExec();
  EditEhdr(file, [](Elf64_Ehdr& e) { e.e_machine = EM_AARCH64; });
  EXPECT_EQ(ParseError(file), ENOEXEC);
  for (int type : {ET_NONE, ET_REL, ET_CORE, 0xffff}) {
    file = MakeStaticExec();
    EditEhdr(file, [&](Elf64_Ehdr& e) { e.e_type = static_cast<uint16_t>(type); });
    EXPECT_EQ(ParseError(file), ENOEXEC) << type;
  }
}

TEST(ParseElfBadTest, PhentsizeAndPhnum) {
  auto file = MakeStaticExec();
  EditEhdr(file, [](Elf64_Ehdr& e) { e.e_phentsize = 32; });
  EXPECT_EQ(ParseError(file), ENOEXEC);
  file = MakeStaticExec();
  EditEhdr(file, [](Elf64_Ehdr& e) { e.e_phnum = 0; });
  EXPECT_EQ(ParseError(file), ENOEXEC);
  // 1025 headers that would all be in the file: still refused.
  file = MakeStaticExec();
  file.resize(64 + 1025 * sizeof(Elf64_Phdr));
  EditEhdr(file, [](Elf64_Ehdr& e) { e.e_phnum = 1025; });
  EXPECT_EQ(ParseError(file), ENOEXEC);
  file = MakeStaticExec();
  EditEhdr(file, [](Elf64_Ehdr& e) { e.e_phnum = 0xffff; });
  EXPECT_EQ(ParseError(file), ENOEXEC);
}

TEST(ParseElfBadTest, HeadersPastEof) {
  auto file = MakeStaticExec();
  file.resize(64 + 2 * sizeof(Elf64_Phdr));  // table cut short
  EXPECT_EQ(ParseError(file), ENOEXEC);
  file = MakeStaticExec();
  EditEhdr(file, [](Elf64_Ehdr& e) { e.e_phoff = ~uint64_t{0} - 10; });  // overflow
  EXPECT_EQ(ParseError(file), ENOEXEC);
  // The size claims more than the reader delivers: a short read is ENOEXEC.
  file = MakeStaticExec();
  std::vector<uint8_t> cut(file.begin(), file.begin() + 100);
  EXPECT_EQ(ParseElf(VectorReader(cut), file.size()).error(), ENOEXEC);
}

TEST(ParseElfBadTest, ReadErrorIsPropagated) {
  auto file = MakeStaticExec();
  ReadAtFn failing = [](void*, size_t, uint64_t) -> int64_t { return -EIO; };
  EXPECT_EQ(ParseElf(failing, file.size()).error(), EIO);
  // A reader that claims more than asked is treated as broken, not trusted.
  ReadAtFn liar = [](void*, size_t len, uint64_t) -> int64_t { return len + 1; };
  EXPECT_EQ(ParseElf(liar, file.size()).error(), EIO);
}

TEST(ParseElfBadTest, LoadFileszOverMemsz) {
  auto file = MakeStaticExec();
  EditPhdr(file, 1, [](Elf64_Phdr& p) { p.p_memsz = p.p_filesz - 1; });
  EXPECT_EQ(ParseError(file), ENOEXEC);
}

TEST(ParseElfBadTest, LoadPastEof) {
  auto file = MakeStaticExec();
  EditPhdr(file, 2, [](Elf64_Phdr& p) { p.p_filesz += 1; });
  EXPECT_EQ(ParseError(file), ENOEXEC);
  file = MakeStaticExec();
  EditPhdr(file, 2, [](Elf64_Phdr& p) {
    p.p_offset = ~uint64_t{0} - 0xfff + 0x10;  // offset + filesz overflows
    p.p_vaddr = 0x403010;
  });
  EXPECT_EQ(ParseError(file), ENOEXEC);
}

TEST(ParseElfBadTest, LoadMisaligned) {
  auto file = MakeStaticExec();
  EditPhdr(file, 1, [](Elf64_Phdr& p) { p.p_vaddr += 8; });
  EXPECT_EQ(ParseError(file), ENOEXEC);
}

TEST(ParseElfBadTest, LoadsOverlapOrUnsorted) {
  auto file = MakeStaticExec();
  EditPhdr(file, 1, [](Elf64_Phdr& p) { p.p_vaddr = 0x400000 + 0x1000 - 0x1000; });
  EXPECT_EQ(ParseError(file), ENOEXEC);  // second starts inside the first
  file = MakeStaticExec();
  Elf64_Phdr a = testing::GetPhdr(file, 1), b = testing::GetPhdr(file, 2);
  testing::SetPhdr(file, 1, b);
  testing::SetPhdr(file, 2, a);
  EXPECT_EQ(ParseError(file), ENOEXEC);  // unsorted
}

TEST(ParseElfBadTest, NoLoad) {
  auto file = MakeStaticExec();
  for (int i = 0; i < 3; ++i) EditPhdr(file, i, [](Elf64_Phdr& p) { p.p_type = PT_NOTE; });
  EXPECT_EQ(ParseError(file), ENOEXEC);
}

TEST(ParseElfBadTest, Interp) {
  auto file = MakePie();
  EditPhdr(file, 5, [](Elf64_Phdr& p) { p = testing::GetPhdr(MakePie(), 1); });
  EXPECT_EQ(ParseError(file), ENOEXEC) << "two PT_INTERP";

  file = MakePie();
  file[0x200 + sizeof(testing::kPieInterp) - 1] = 'x';
  EXPECT_EQ(ParseError(file), ENOEXEC) << "not NUL-terminated";

  file = MakePie();
  file[0x200] = 0;
  EXPECT_EQ(ParseError(file), ENOEXEC) << "empty string";

  file = MakePie();
  EditPhdr(file, 1, [](Elf64_Phdr& p) { p.p_filesz = 1; });
  file[0x200] = 0;
  EXPECT_EQ(ParseError(file), ENOEXEC) << "just a NUL";

  file = MakePie();
  EditPhdr(file, 1, [](Elf64_Phdr& p) { p.p_filesz = 4097; });
  file.resize(0x200 + 4097 + 0x100, 'a');
  file[0x200 + 4096] = 0;
  EXPECT_EQ(ParseError(file), ENOEXEC) << "longer than PATH_MAX";

  file = MakePie();
  EditPhdr(file, 1, [](Elf64_Phdr& p) { p.p_offset = 0x1e00 - 4; });
  EXPECT_EQ(ParseError(file), ENOEXEC) << "past EOF";

  // Embedded NUL: the kernel uses the C string.
  file = MakePie();
  file[0x205] = 0;
  auto elf = Parse(file);
  ASSERT_TRUE(elf.ok());
  EXPECT_EQ(elf->interp, "/lib6");
}

TEST(ParseElfBadTest, AbsurdSizesAreEnomem) {
  struct Case {
    const char* name;
    std::function<void(Elf64_Phdr&)> edit;
  } cases[] = {
      {"memsz overflow", [](Elf64_Phdr& p) { p.p_memsz = ~uint64_t{0} - 0x100; }},
      {"beyond user space", [](Elf64_Phdr& p) { p.p_memsz = 0x7ffffffff000 - 0x403010 + 1; }},
      {"vaddr beyond user space",
       [](Elf64_Phdr& p) {
         p.p_vaddr = 0xffffffff80000010;
         p.p_memsz = p.p_filesz;
       }},
      {"span over 2^46",
       [](Elf64_Phdr& p) {
         p.p_vaddr = (1ULL << 46) + 0x400000 + 0x10;
         p.p_memsz = p.p_filesz;
       }},
  };
  for (const Case& c : cases) {
    auto file = MakeStaticExec();
    EditPhdr(file, 2, [&](Elf64_Phdr& p) {
      p.p_offset = 0x2010;
      c.edit(p);
    });
    EXPECT_EQ(ParseError(file), ENOMEM) << c.name;
  }
  // The largest span allowed is fine.
  auto file = MakeStaticExec();
  EditPhdr(file, 2, [](Elf64_Phdr& p) { p.p_memsz = (1ULL << 46) - 0x3010; });
  auto elf = Parse(file);
  ASSERT_TRUE(elf.ok()) << elf.error();
  EXPECT_EQ(elf->span(), 1ULL << 46);
}

// --- real host binaries ---

struct HostFile {
  UniqueFd fd;
  uint64_t size = 0;
  std::vector<uint8_t> bytes;
};

bool OpenHost(const char* path, HostFile* out) {
  out->fd = UniqueFd(::open(path, O_RDONLY | O_CLOEXEC));
  struct stat st;
  if (!out->fd || ::fstat(out->fd.get(), &st) != 0) return false;
  out->size = st.st_size;
  out->bytes.resize(out->size);
  return ::pread(out->fd.get(), out->bytes.data(), out->size, 0) == static_cast<ssize_t>(out->size);
}

void CheckHostPlan(const ElfFile& elf, const std::vector<uint8_t>& bytes) {
  auto ops = PlanLoad(elf, 0x555555554000);
  EXPECT_EQ(testing::CheckPlan(elf, ops), "");
  uint64_t reserve = elf.is_dyn ? 0x555555554000 + elf.min_vaddr : 0;
  EXPECT_EQ(testing::SimulatePlan(elf, ops, bytes, reserve, 1 << 14), "");
}

TEST(ParseElfHostTest, BinLs) {
  HostFile f;
  if (!OpenHost("/bin/ls", &f)) GTEST_SKIP() << "no /bin/ls";
  auto elf = ParseElf(testing::FdReader(f.fd.get()), f.size);
  ASSERT_TRUE(elf.ok()) << elf.error();
  EXPECT_EQ(elf->interp, "/lib64/ld-linux-x86-64.so.2");
  EXPECT_GE(elf->loads.size(), 2u);
  EXPECT_NE(elf->phdr_vaddr, 0u);
  EXPECT_FALSE(elf->exec_stack);
  CheckHostPlan(*elf, f.bytes);
}

TEST(ParseElfHostTest, Python3) {
  HostFile f;
  if (!OpenHost("/usr/bin/python3", &f)) GTEST_SKIP() << "no /usr/bin/python3";
  auto elf = ParseElf(testing::FdReader(f.fd.get()), f.size);
  ASSERT_TRUE(elf.ok()) << elf.error();
  EXPECT_EQ(elf->interp, "/lib64/ld-linux-x86-64.so.2");
  EXPECT_NE(elf->phdr_vaddr, 0u);
  CheckHostPlan(*elf, f.bytes);
}

TEST(ParseElfHostTest, Busybox) {
  HostFile f;
  if (!OpenHost("/bin/busybox", &f)) GTEST_SKIP() << "no /bin/busybox";
  auto elf = ParseElf(testing::FdReader(f.fd.get()), f.size);
  ASSERT_TRUE(elf.ok()) << elf.error();
  EXPECT_NE(elf->phdr_vaddr, 0u);
  CheckHostPlan(*elf, f.bytes);
}

}  // namespace
}  // namespace sentry::loader
