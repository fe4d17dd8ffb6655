// Syscall tests for getdents64(2): buffer sizes, rewinding, d_type, errors; vs readdir(3).
// Owned by the tests team. Runs natively and under the sentry (see CMakeLists.txt).
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "test_util.h"

namespace syscall_test {
namespace {

constexpr char kDir[] = "/usr/include";

// Layout of the records getdents64 returns (the kernel's struct linux_dirent64).
struct LinuxDirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

long RawGetdents64(int fd, void* buf, size_t size) {
  return syscall(SYS_getdents64, fd, buf, size);
}

// Reads all entries of fd (from its current position) with buffers of `bufsize` bytes.
// Returns name -> d_type and counts the calls made.
std::map<std::string, unsigned char> ListWithGetdents(int fd, size_t bufsize, int* calls) {
  std::map<std::string, unsigned char> out;
  std::vector<char> buf(bufsize);
  *calls = 0;
  for (;;) {
    long n = RawGetdents64(fd, buf.data(), buf.size());
    ++*calls;
    if (n < 0) {
      ADD_FAILURE() << "getdents64(" << bufsize << "): " << ErrnoText(errno);
      break;
    }
    if (n == 0) break;
    EXPECT_LE(static_cast<size_t>(n), bufsize);
    for (long off = 0; off < n;) {
      auto* d = reinterpret_cast<LinuxDirent64*>(buf.data() + off);
      EXPECT_GE(d->d_reclen, offsetof(LinuxDirent64, d_name) + strlen(d->d_name) + 1);
      EXPECT_EQ(d->d_reclen % 8, 0) << "record not 8-byte aligned: " << d->d_name;
      EXPECT_NE(d->d_ino, 0u) << d->d_name;
      bool inserted = out.emplace(d->d_name, d->d_type).second;
      EXPECT_TRUE(inserted) << "duplicate entry " << d->d_name;
      if (d->d_reclen == 0) {
        ADD_FAILURE() << "zero d_reclen";
        return out;
      }
      off += d->d_reclen;
    }
  }
  return out;
}

std::set<std::string> Names(const std::map<std::string, unsigned char>& m) {
  std::set<std::string> out;
  for (const auto& [name, type] : m) out.insert(name);
  return out;
}

std::set<std::string> ListWithReaddir(const char* path) {
  std::set<std::string> out;
  DIR* dir = opendir(path);
  EXPECT_NE(dir, nullptr) << ErrnoText(errno);
  if (dir == nullptr) return out;
  errno = 0;
  while (struct dirent* d = readdir(dir)) out.insert(d->d_name);
  EXPECT_EQ(errno, 0);
  closedir(dir);
  return out;
}

TEST(GetdentsTest, SmallAndBigBuffersListTheSameEntries) {
  ScopedFd small_fd(open(kDir, O_RDONLY | O_DIRECTORY));
  ScopedFd big_fd(open(kDir, O_RDONLY | O_DIRECTORY));
  ASSERT_TRUE(small_fd.valid() && big_fd.valid());
  int small_calls = 0, big_calls = 0;
  // 280 bytes hold one record with a NAME_MAX name, so every entry fits.
  auto small = ListWithGetdents(small_fd.get(), 280, &small_calls);
  auto big = ListWithGetdents(big_fd.get(), 1 << 20, &big_calls);
  EXPECT_EQ(small, big);
  EXPECT_GT(small.size(), 20u) << kDir << " should have many entries";
  EXPECT_GT(small_calls, 3) << "a small buffer should need many calls";
  EXPECT_LT(big_calls, small_calls);
  EXPECT_TRUE(small.count(".") && small.count("..")) << "'.' and '..' must be listed";
}

TEST(GetdentsTest, MatchesReaddir) {
  for (const char* path : {kDir, "/usr/bin", "/etc", "/"}) {
    ScopedFd fd(open(path, O_RDONLY | O_DIRECTORY));
    ASSERT_TRUE(fd.valid()) << path;
    int calls;
    EXPECT_EQ(Names(ListWithGetdents(fd.get(), 4096, &calls)), ListWithReaddir(path)) << path;
  }
}

TEST(GetdentsTest, DirentTypeMatchesLstat) {
  ScopedFd fd(open("/", O_RDONLY | O_DIRECTORY));
  ASSERT_TRUE(fd.valid());
  int calls;
  auto entries = ListWithGetdents(fd.get(), 8192, &calls);
  for (const auto& [name, type] : entries) {
    std::string path = "/" + name;
    struct stat st;
    ASSERT_EQ(lstat(path.c_str(), &st), 0) << path;
    EXPECT_EQ(type, IFTODT(st.st_mode)) << path;
  }
}

TEST(GetdentsTest, RewindWithLseekListsAgain) {
  ScopedFd fd(open(kDir, O_RDONLY | O_DIRECTORY));
  ASSERT_TRUE(fd.valid());
  int calls;
  auto first = ListWithGetdents(fd.get(), 4096, &calls);
  std::vector<char> buf(4096);
  EXPECT_EQ(RawGetdents64(fd.get(), buf.data(), buf.size()), 0) << "at end";
  ASSERT_EQ(lseek(fd.get(), 0, SEEK_SET), 0);
  auto second = ListWithGetdents(fd.get(), 4096, &calls);
  EXPECT_EQ(first, second);
}

TEST(GetdentsTest, SeekToReturnedOffsetResumes) {
  ScopedFd fd(open(kDir, O_RDONLY | O_DIRECTORY));
  ASSERT_TRUE(fd.valid());
  int calls;
  auto all = Names(ListWithGetdents(fd.get(), 1 << 20, &calls));
  ASSERT_EQ(lseek(fd.get(), 0, SEEK_SET), 0);
  // Read the first few records, then seek to the d_off of the last one we keep.
  std::vector<char> buf(512);
  long n = RawGetdents64(fd.get(), buf.data(), buf.size());
  ASSERT_GT(n, 0);
  std::set<std::string> seen;
  auto* first = reinterpret_cast<LinuxDirent64*>(buf.data());
  seen.insert(first->d_name);
  ASSERT_EQ(lseek(fd.get(), first->d_off, SEEK_SET), first->d_off) << ErrnoText(errno);
  auto rest = Names(ListWithGetdents(fd.get(), 4096, &calls));
  seen.insert(rest.begin(), rest.end());
  EXPECT_EQ(seen, all);
  EXPECT_FALSE(rest.count(first->d_name)) << "entry before the seek offset listed again";
}

TEST(GetdentsTest, TooSmallBufferIsEINVAL) {
  ScopedFd fd(open(kDir, O_RDONLY | O_DIRECTORY));
  ASSERT_TRUE(fd.valid());
  char buf[8];
  EXPECT_SYSCALL_ERRNO(RawGetdents64(fd.get(), buf, 1), EINVAL);
  EXPECT_SYSCALL_ERRNO(RawGetdents64(fd.get(), buf, sizeof(buf)), EINVAL);
  // Nothing was consumed: a proper buffer still sees "." and "..".
  int calls;
  auto entries = ListWithGetdents(fd.get(), 4096, &calls);
  EXPECT_TRUE(entries.count(".") && entries.count(".."));
}

TEST(GetdentsTest, FileFdIsENOTDIR) {
  ScopedFd fd(open(kRegularFile, O_RDONLY));
  ASSERT_TRUE(fd.valid());
  std::vector<char> buf(4096);
  EXPECT_SYSCALL_ERRNO(RawGetdents64(fd.get(), buf.data(), buf.size()), ENOTDIR);
}

TEST(GetdentsTest, BadFdIsEBADF) {
  std::vector<char> buf(4096);
  EXPECT_SYSCALL_ERRNO(RawGetdents64(123456, buf.data(), buf.size()), EBADF);
  ScopedFd path_fd(open(kDir, O_PATH | O_DIRECTORY));
  ASSERT_TRUE(path_fd.valid());
  EXPECT_SYSCALL_ERRNO(RawGetdents64(path_fd.get(), buf.data(), buf.size()), EBADF);
}

TEST(GetdentsTest, BadBufferIsEFAULT) {
  ScopedFd fd(open(kDir, O_RDONLY | O_DIRECTORY));
  ASSERT_TRUE(fd.valid());
  EXPECT_SYSCALL_ERRNO(RawGetdents64(fd.get(), reinterpret_cast<void*>(1), 4096), EFAULT);
}

}  // namespace
}  // namespace syscall_test
