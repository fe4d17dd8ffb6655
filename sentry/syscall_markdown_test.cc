// Tests of the Markdown compatibility table. Owned by the sentry; single-threaded gtest.
#include "sentry/syscall_markdown.h"

#include <string>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "sentry/syscall_table.h"

namespace sentry {
namespace {

TEST(SyscallMarkdownTest, HasARowPerAssignedSyscall) {
  std::string md = SyscallTableMarkdown();
  EXPECT_NE(md.find("| # | name | action | support | note |"), std::string::npos);
  EXPECT_NE(md.find("| 257 | openat | emulated | full |"), std::string::npos);
  EXPECT_NE(md.find("| 59 | execve | traced |"), std::string::npos);
  EXPECT_NE(md.find("| 321 | bpf | refused (EPERM) | refused |"), std::string::npos);
  EXPECT_NE(md.find("| 425 | io_uring_setup | refused (ENOSYS) |"), std::string::npos);
  EXPECT_NE(md.find("| 62 | kill | passthrough (always) | full |"), std::string::npos);
  EXPECT_NE(md.find("| 9 | mmap | passthrough if ((arg3 & 0x20) == 0x20), else emulated |"),
            std::string::npos);
  EXPECT_NE(md.find("| 158 | arch_prctl | passthrough if (arg0 == 0x1002) or (arg0 == 0x1003)"),
            std::string::npos);
  EXPECT_NE(md.find("| 41 | socket | emulated | partial |"), std::string::npos);
  EXPECT_NE(md.find("| 29 | shmget | unsupported (ENOSYS) | unsupported |"), std::string::npos);

  int rows = 0;
  int assigned = 0;
  for (const SyscallEntry& e : SyscallTable()) assigned += e.name != nullptr;
  for (absl::string_view line : absl::StrSplit(md, '\n')) {
    if (line.size() > 3 && line[0] == '|' && line[2] >= '0' && line[2] <= '9') {
      ++rows;
      // Five cells: six unescaped '|'.
      int bars = 0;
      for (size_t i = 0; i < line.size(); ++i)
        bars += line[i] == '|' && (i == 0 || line[i - 1] != '\\');
      EXPECT_EQ(bars, 6) << line;
    }
  }
  EXPECT_EQ(rows, assigned);
  EXPECT_NE(md.find(std::to_string(assigned) + " syscalls: "), std::string::npos);
  EXPECT_NE(md.find(" passthrough, "), std::string::npos);
}

}  // namespace
}  // namespace sentry
