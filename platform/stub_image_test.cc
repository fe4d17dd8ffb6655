// Tests that the embedded stub is the ELF the platform expects (fixed address, entry points).
// Single-threaded unit test.
#include "platform/stub_image.h"

#include <elf.h>

#include <cstring>

#include "gtest/gtest.h"

namespace sentry::platform {
namespace {

TEST(StubImageTest, IsStaticExecAtFixedAddress) {
  std::string_view img = StubImage();
  ASSERT_GE(img.size(), sizeof(Elf64_Ehdr));
  Elf64_Ehdr eh;
  memcpy(&eh, img.data(), sizeof(eh));
  EXPECT_EQ(memcmp(eh.e_ident, ELFMAG, SELFMAG), 0);
  EXPECT_EQ(eh.e_type, ET_EXEC);
  EXPECT_EQ(eh.e_entry, kStubBase);
  bool has_interp = false, has_scratch = false;
  for (int i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph;
    memcpy(&ph, img.data() + eh.e_phoff + i * sizeof(ph), sizeof(ph));
    if (ph.p_type == PT_INTERP) has_interp = true;
    if (ph.p_type == PT_LOAD && ph.p_vaddr == kStubScratch && ph.p_memsz >= kStubScratchSize &&
        (ph.p_flags & PF_W))
      has_scratch = true;
  }
  EXPECT_FALSE(has_interp);
  EXPECT_TRUE(has_scratch);
}

TEST(StubImageTest, MemfdIsSealed) {
  auto fd = MakeStubMemfd();
  ASSERT_TRUE(fd.ok()) << fd.status();
  EXPECT_LT(write(fd->get(), "x", 1), 0);
}

}  // namespace
}  // namespace sentry::platform
