// Tests guest memory access against a forked child: reads, writes, strings, faults (EFAULT).
// Single-threaded test; the child is killed by pid at the end of each test.
#include "platform/guest_memory.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "gtest/gtest.h"

namespace sentry::platform {
namespace {

class ChildFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    // A page shared before fork keeps the same address in the child.
    page_ = static_cast<char*>(mmap(nullptr, 8192, PROT_READ | PROT_WRITE,
                                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    ASSERT_NE(page_, MAP_FAILED);
    strcpy(page_, "hello guest");
    mprotect(page_ + 4096, 4096, PROT_NONE);
    child_ = fork();
    if (child_ == 0) {
      alarm(20);
      pause();
      _exit(0);
    }
  }
  void TearDown() override {
    kill(child_, SIGKILL);
    waitpid(child_, nullptr, 0);
    munmap(page_, 8192);
  }
  char* page_ = nullptr;
  pid_t child_ = -1;
};

TEST_F(ChildFixture, ReadsAndWrites) {
  char buf[12] = {};
  ASSERT_TRUE(ReadGuest(child_, reinterpret_cast<uint64_t>(page_), buf, 11).ok());
  EXPECT_STREQ(buf, "hello guest");
  ASSERT_TRUE(WriteGuest(child_, reinterpret_cast<uint64_t>(page_), "HELLO", 5).ok());
  ASSERT_TRUE(ReadGuest(child_, reinterpret_cast<uint64_t>(page_), buf, 11).ok());
  EXPECT_STREQ(buf, "HELLO guest");
  EXPECT_STREQ(page_, "hello guest");  // our copy is untouched (private after fork)
}

TEST_F(ChildFixture, FaultsAreEfault) {
  char buf[16];
  EXPECT_EQ(ReadGuest(child_, reinterpret_cast<uint64_t>(page_) + 4096, buf, 16).error(), EFAULT);
  EXPECT_EQ(ReadGuest(child_, 0, buf, 16).error(), EFAULT);
  EXPECT_EQ(ReadGuest(child_, ~0ULL - 4, buf, 16).error(), EFAULT);
  EXPECT_EQ(WriteGuest(child_, reinterpret_cast<uint64_t>(page_) + 4096, "x", 1).error(), EFAULT);
}

TEST_F(ChildFixture, Strings) {
  std::string s;
  ASSERT_TRUE(ReadGuestString(child_, reinterpret_cast<uint64_t>(page_), 4096, &s).ok());
  EXPECT_EQ(s, "hello guest");
  EXPECT_EQ(ReadGuestString(child_, reinterpret_cast<uint64_t>(page_), 4, &s).error(),
            ENAMETOOLONG);
  // A string running into the unreadable page faults.
  memset(page_, 'a', 4096);  // only our copy; child still has the short string
  char buf[64];
  SysResult r = ReadGuestCString(child_, reinterpret_cast<uint64_t>(page_), buf, sizeof(buf));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 11);
}

}  // namespace
}  // namespace sentry::platform
