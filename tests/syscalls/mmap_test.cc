// Syscall tests for mmap(2) of files and devices: contents, sharing modes, protections, errors.
// Owned by the tests team. Runs natively and under the sentry (see CMakeLists.txt).
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "gtest/gtest.h"
#include "test_util.h"

namespace syscall_test {
namespace {

constexpr char kSmallFile[] = "/etc/os-release";  // Smaller than a page.
constexpr char kBigFile[] = "/bin/sh";            // Several pages.

size_t PageSize() { return static_cast<size_t>(sysconf(_SC_PAGESIZE)); }

off_t FileSize(int fd) {
  struct stat st;
  EXPECT_EQ(fstat(fd, &st), 0);
  return st.st_size;
}

// Unmaps on destruction.
class ScopedMapping {
 public:
  ScopedMapping(void* addr, size_t len) : addr_(addr), len_(len) {}
  ScopedMapping(const ScopedMapping&) = delete;
  ScopedMapping& operator=(const ScopedMapping&) = delete;
  ~ScopedMapping() {
    if (addr_ != MAP_FAILED) munmap(addr_, len_);
  }
  bool ok() const { return addr_ != MAP_FAILED; }
  char* data() const { return static_cast<char*>(addr_); }

 private:
  void* addr_;
  size_t len_;
};

TEST(MmapTest, PrivateReadOnlyMatchesRead) {
  std::string want = ReadFile(kSmallFile);
  ASSERT_FALSE(want.empty());
  ScopedFd fd(open(kSmallFile, O_RDONLY));
  ASSERT_TRUE(fd.valid());
  ScopedMapping m(mmap(nullptr, want.size(), PROT_READ, MAP_PRIVATE, fd.get(), 0), want.size());
  ASSERT_TRUE(m.ok()) << ErrnoText(errno);
  EXPECT_EQ(std::string(m.data(), want.size()), want);
  // The rest of the last page reads as zeros.
  size_t page = PageSize();
  if (want.size() % page != 0) {
    for (size_t i = want.size(); i < (want.size() + page - 1) / page * page; ++i) {
      ASSERT_EQ(m.data()[i], 0) << "at " << i;
    }
  }
}

TEST(MmapTest, SharedReadOnlyMatchesRead) {
  std::string want = ReadFile(kBigFile);
  ScopedFd fd(open(kBigFile, O_RDONLY));
  ASSERT_TRUE(fd.valid());
  ScopedMapping m(mmap(nullptr, want.size(), PROT_READ, MAP_SHARED, fd.get(), 0), want.size());
  ASSERT_TRUE(m.ok()) << ErrnoText(errno);
  EXPECT_TRUE(memcmp(m.data(), want.data(), want.size()) == 0);
}

TEST(MmapTest, OffsetMapsTheRightBytes) {
  std::string whole = ReadFile(kBigFile);
  size_t page = PageSize();
  ASSERT_GT(whole.size(), 3 * page);
  ScopedFd fd(open(kBigFile, O_RDONLY));
  ASSERT_TRUE(fd.valid());
  ScopedMapping m(mmap(nullptr, page, PROT_READ, MAP_PRIVATE, fd.get(), 2 * page), page);
  ASSERT_TRUE(m.ok()) << ErrnoText(errno);
  EXPECT_EQ(std::string(m.data(), page), whole.substr(2 * page, page));
  // mmap does not move the file offset.
  EXPECT_EQ(lseek(fd.get(), 0, SEEK_CUR), 0);
}

TEST(MmapTest, MappingOutlivesClose) {
  std::string want = ReadFile(kSmallFile);
  int fd = open(kSmallFile, O_RDONLY);
  ASSERT_GE(fd, 0);
  ScopedMapping m(mmap(nullptr, want.size(), PROT_READ, MAP_PRIVATE, fd, 0), want.size());
  ASSERT_TRUE(m.ok()) << ErrnoText(errno);
  ASSERT_EQ(close(fd), 0);
  EXPECT_EQ(std::string(m.data(), want.size()), want);
}

TEST(MmapTest, PrivateWritableCopyOnWrite) {
  std::string want = ReadFile(kSmallFile);
  ScopedFd fd(open(kSmallFile, O_RDONLY));
  ASSERT_TRUE(fd.valid());
  ScopedMapping m(mmap(nullptr, want.size(), PROT_READ | PROT_WRITE, MAP_PRIVATE, fd.get(), 0),
                  want.size());
  ASSERT_TRUE(m.ok()) << ErrnoText(errno);
  m.data()[0] = '#';
  EXPECT_EQ(m.data()[0], '#');
  EXPECT_EQ(ReadFile(kSmallFile), want) << "a private mapping must not change the file";
}

TEST(MmapTest, SharedWritableOnReadOnlyFdIsEACCES) {
  ScopedFd fd(open(kSmallFile, O_RDONLY));
  ASSERT_TRUE(fd.valid());
  void* p = mmap(nullptr, PageSize(), PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  EXPECT_EQ(p, MAP_FAILED);
  EXPECT_EQ(errno, EACCES);
  if (p != MAP_FAILED) munmap(p, PageSize());
}

TEST(MmapTest, MprotectWriteOnSharedReadOnlyFileIsEACCES) {
  ScopedFd fd(open(kSmallFile, O_RDONLY));
  ASSERT_TRUE(fd.valid());
  ScopedMapping m(mmap(nullptr, PageSize(), PROT_READ, MAP_SHARED, fd.get(), 0), PageSize());
  ASSERT_TRUE(m.ok()) << ErrnoText(errno);
  EXPECT_SYSCALL_ERRNO(mprotect(m.data(), PageSize(), PROT_READ | PROT_WRITE), EACCES);
}

TEST(MmapTest, WriteOnlyFdIsEACCES) {
  ScopedFd fd(open("/dev/null", O_WRONLY));
  ASSERT_TRUE(fd.valid());
  void* p = mmap(nullptr, PageSize(), PROT_READ, MAP_PRIVATE, fd.get(), 0);
  EXPECT_EQ(p, MAP_FAILED);
  EXPECT_EQ(errno, EACCES);
}

TEST(MmapTest, DevZeroPrivateIsZeroedAndWritable) {
  ScopedFd fd(open("/dev/zero", O_RDWR));
  ASSERT_TRUE(fd.valid());
  size_t len = 4 * PageSize();
  ScopedMapping m(mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd.get(), 0), len);
  ASSERT_TRUE(m.ok()) << ErrnoText(errno);
  for (size_t i = 0; i < len; ++i) ASSERT_EQ(m.data()[i], 0) << "at " << i;
  memset(m.data(), 'x', len);
  EXPECT_EQ(m.data()[len - 1], 'x');
  // Another mapping of /dev/zero is independent.
  ScopedMapping m2(mmap(nullptr, len, PROT_READ, MAP_PRIVATE, fd.get(), 0), len);
  ASSERT_TRUE(m2.ok());
  EXPECT_EQ(m2.data()[0], 0);
}

TEST(MmapTest, DevZeroSharedIsZeroed) {
  ScopedFd fd(open("/dev/zero", O_RDWR));
  ASSERT_TRUE(fd.valid());
  size_t len = 2 * PageSize();
  ScopedMapping m(mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0), len);
  ASSERT_TRUE(m.ok()) << ErrnoText(errno);
  EXPECT_EQ(m.data()[0], 0);
  EXPECT_EQ(m.data()[len - 1], 0);
  m.data()[100] = 'y';
  EXPECT_EQ(m.data()[100], 'y');
}

sigjmp_buf g_jump;
volatile sig_atomic_t g_signal = 0;

void OnFault(int sig) {
  g_signal = sig;
  siglongjmp(g_jump, 1);
}

TEST(MmapTest, TouchingPagesBeyondEofRaisesSigbus) {
  ScopedFd fd(open(kSmallFile, O_RDONLY));
  ASSERT_TRUE(fd.valid());
  size_t page = PageSize();
  ASSERT_LT(static_cast<size_t>(FileSize(fd.get())), page);
  ScopedMapping m(mmap(nullptr, 2 * page, PROT_READ, MAP_PRIVATE, fd.get(), 0), 2 * page);
  ASSERT_TRUE(m.ok()) << ErrnoText(errno);

  struct sigaction sa = {}, old_bus = {}, old_segv = {};
  sa.sa_handler = OnFault;
  sigemptyset(&sa.sa_mask);
  ASSERT_EQ(sigaction(SIGBUS, &sa, &old_bus), 0);
  ASSERT_EQ(sigaction(SIGSEGV, &sa, &old_segv), 0);
  g_signal = 0;
  if (sigsetjmp(g_jump, 1) == 0) {
    volatile char c = m.data()[page];  // First byte of the page past EOF.
    (void)c;
  }
  sigaction(SIGBUS, &old_bus, nullptr);
  sigaction(SIGSEGV, &old_segv, nullptr);
  EXPECT_EQ(g_signal, SIGBUS);
}

TEST(MmapTest, Errors) {
  size_t page = PageSize();
  ScopedFd fd(open(kBigFile, O_RDONLY));
  ASSERT_TRUE(fd.valid());
  // Unaligned offset.
  EXPECT_EQ(mmap(nullptr, page, PROT_READ, MAP_PRIVATE, fd.get(), 1), MAP_FAILED);
  EXPECT_EQ(errno, EINVAL);
  // Zero length.
  EXPECT_EQ(mmap(nullptr, 0, PROT_READ, MAP_PRIVATE, fd.get(), 0), MAP_FAILED);
  EXPECT_EQ(errno, EINVAL);
  // Neither MAP_PRIVATE nor MAP_SHARED.
  EXPECT_EQ(mmap(nullptr, page, PROT_READ, 0, fd.get(), 0), MAP_FAILED);
  EXPECT_EQ(errno, EINVAL);
  // Bad fd, O_PATH fd.
  EXPECT_EQ(mmap(nullptr, page, PROT_READ, MAP_PRIVATE, 123456, 0), MAP_FAILED);
  EXPECT_EQ(errno, EBADF);
  ScopedFd path(open(kBigFile, O_PATH));
  ASSERT_TRUE(path.valid());
  EXPECT_EQ(mmap(nullptr, page, PROT_READ, MAP_PRIVATE, path.get(), 0), MAP_FAILED);
  EXPECT_EQ(errno, EBADF);
  // A directory cannot be mapped.
  ScopedFd dir(open("/usr", O_RDONLY | O_DIRECTORY));
  ASSERT_TRUE(dir.valid());
  EXPECT_EQ(mmap(nullptr, page, PROT_READ, MAP_PRIVATE, dir.get(), 0), MAP_FAILED);
  EXPECT_EQ(errno, ENODEV);
  // A pipe cannot be mapped.
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  ScopedFd r(p[0]), w(p[1]);
  EXPECT_EQ(mmap(nullptr, page, PROT_READ, MAP_PRIVATE, r.get(), 0), MAP_FAILED);
  EXPECT_EQ(errno, ENODEV);
}

}  // namespace
}  // namespace syscall_test
