// Syscall tests for read/write/pread64/pwrite64/readv/writev/lseek on files, devices and pipes.
// Owned by the tests team. Runs natively and under the sentry (see CMakeLists.txt).
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "test_util.h"

namespace syscall_test {
namespace {

// A file large enough to span several pages (the dash binary, /bin/sh).
constexpr char kBigFile[] = "/bin/sh";

// Returns the address of a page that is not mapped (mapped, then unmapped).
void* UnmappedPage() {
  void* p = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  EXPECT_NE(p, MAP_FAILED);
  EXPECT_EQ(munmap(p, 4096), 0);
  return p;
}

off_t FileSize(const char* path) {
  struct stat st;
  EXPECT_EQ(stat(path, &st), 0) << path;
  return st.st_size;
}

TEST(ReadWriteTest, ReadWholeFileTwoWays) {
  for (const char* path : {kRegularFile, "/etc/os-release", kBigFile}) {
    // Byte-sized reads vs one pread of the whole size.
    std::string small = ReadFile(path, 7);
    off_t size = FileSize(path);
    ASSERT_EQ(static_cast<off_t>(small.size()), size) << path;
    ScopedFd fd(open(path, O_RDONLY));
    ASSERT_TRUE(fd.valid());
    std::string big(static_cast<size_t>(size) + 100, '\0');
    ssize_t total = 0;
    while (total < size) {
      ssize_t n = pread(fd.get(), big.data() + total, big.size() - total, total);
      ASSERT_GT(n, 0) << path << ": " << ErrnoText(errno);
      total += n;
    }
    big.resize(static_cast<size_t>(total));
    EXPECT_EQ(small, big) << path;
  }
}

TEST(ReadWriteTest, ReadAtEofReturnsZero) {
  ScopedFd fd(open(kRegularFile, O_RDONLY));
  ASSERT_TRUE(fd.valid());
  ReadToEnd(fd.get());
  char c;
  EXPECT_EQ(read(fd.get(), &c, 1), 0);
  EXPECT_EQ(read(fd.get(), &c, 1), 0);
}

TEST(ReadWriteTest, ZeroLengthReadReturnsZero) {
  ScopedFd fd(open(kRegularFile, O_RDONLY));
  ASSERT_TRUE(fd.valid());
  char c;
  EXPECT_EQ(read(fd.get(), &c, 0), 0);
  EXPECT_EQ(lseek(fd.get(), 0, SEEK_CUR), 0);
}

TEST(ReadWriteTest, PreadDoesNotMoveOffset) {
  ScopedFd fd(open(kBigFile, O_RDONLY));
  ASSERT_TRUE(fd.valid());
  char buf[16], buf2[16];
  ASSERT_EQ(read(fd.get(), buf, 4), 4);
  ASSERT_EQ(lseek(fd.get(), 0, SEEK_CUR), 4);
  ASSERT_EQ(syscall(SYS_pread64, fd.get(), buf2, sizeof(buf2), 1000), 16);
  EXPECT_EQ(lseek(fd.get(), 0, SEEK_CUR), 4);
  // The next read continues at offset 4, and pread saw the bytes at 1000.
  char next[4];
  ASSERT_EQ(read(fd.get(), next, 4), 4);
  ASSERT_EQ(lseek(fd.get(), 1000, SEEK_SET), 1000);
  ASSERT_EQ(read(fd.get(), buf, 16), 16);
  EXPECT_EQ(std::string(buf, 16), std::string(buf2, 16));
}

TEST(ReadWriteTest, PreadPastEofReturnsZero) {
  ScopedFd fd(open(kRegularFile, O_RDONLY));
  ASSERT_TRUE(fd.valid());
  char c;
  EXPECT_EQ(pread(fd.get(), &c, 1, FileSize(kRegularFile) + 4096), 0);
}

TEST(ReadWriteTest, PreadNegativeOffsetIsEINVAL) {
  ScopedFd fd(open(kRegularFile, O_RDONLY));
  ASSERT_TRUE(fd.valid());
  char c;
  EXPECT_SYSCALL_ERRNO(syscall(SYS_pread64, fd.get(), &c, 1, -1L), EINVAL);
}

TEST(ReadWriteTest, PreadOnPipeIsESPIPE) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  ScopedFd r(p[0]), w(p[1]);
  char c;
  EXPECT_SYSCALL_ERRNO(pread(r.get(), &c, 1, 0), ESPIPE);
  EXPECT_SYSCALL_ERRNO(pwrite(w.get(), "x", 1, 0), ESPIPE);
}

TEST(ReadWriteTest, LseekWhence) {
  ScopedFd fd(open(kBigFile, O_RDONLY));
  ASSERT_TRUE(fd.valid());
  off_t size = FileSize(kBigFile);
  EXPECT_EQ(lseek(fd.get(), 100, SEEK_SET), 100);
  EXPECT_EQ(lseek(fd.get(), 50, SEEK_CUR), 150);
  EXPECT_EQ(lseek(fd.get(), -20, SEEK_CUR), 130);
  EXPECT_EQ(lseek(fd.get(), 0, SEEK_END), size);
  EXPECT_EQ(lseek(fd.get(), -10, SEEK_END), size - 10);
  char buf[32];
  EXPECT_EQ(read(fd.get(), buf, sizeof(buf)), 10);
  // Seeking beyond the end is allowed; reading there returns 0.
  EXPECT_EQ(lseek(fd.get(), size + 1000, SEEK_SET), size + 1000);
  EXPECT_EQ(read(fd.get(), buf, sizeof(buf)), 0);
}

TEST(ReadWriteTest, LseekNegativeResultIsEINVAL) {
  ScopedFd fd(open(kRegularFile, O_RDONLY));
  ASSERT_TRUE(fd.valid());
  ASSERT_EQ(lseek(fd.get(), 10, SEEK_SET), 10);
  EXPECT_SYSCALL_ERRNO(lseek(fd.get(), -1, SEEK_SET), EINVAL);
  EXPECT_SYSCALL_ERRNO(lseek(fd.get(), -11, SEEK_CUR), EINVAL);
  EXPECT_SYSCALL_ERRNO(lseek(fd.get(), -(FileSize(kRegularFile) + 1), SEEK_END), EINVAL);
  // A failed lseek leaves the offset unchanged.
  EXPECT_EQ(lseek(fd.get(), 0, SEEK_CUR), 10);
}

TEST(ReadWriteTest, LseekBadWhenceIsEINVAL) {
  ScopedFd fd(open(kRegularFile, O_RDONLY));
  ASSERT_TRUE(fd.valid());
  EXPECT_SYSCALL_ERRNO(lseek(fd.get(), 0, 42), EINVAL);
}

TEST(ReadWriteTest, LseekOnPipeIsESPIPE) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  ScopedFd r(p[0]), w(p[1]);
  EXPECT_SYSCALL_ERRNO(lseek(r.get(), 0, SEEK_CUR), ESPIPE);
}

TEST(ReadWriteTest, LseekBadFdIsEBADF) { EXPECT_SYSCALL_ERRNO(lseek(123456, 0, SEEK_SET), EBADF); }

TEST(ReadWriteTest, ReadvScattersLikeRead) {
  std::string whole = ReadFile(kBigFile);
  ASSERT_GT(whole.size(), 300u);
  ScopedFd fd(open(kBigFile, O_RDONLY));
  ASSERT_TRUE(fd.valid());
  char a[10], b[1], c[200];
  struct iovec iov[4] = {{a, sizeof(a)}, {nullptr, 0}, {b, sizeof(b)}, {c, sizeof(c)}};
  ASSERT_EQ(readv(fd.get(), iov, 4), 211);
  EXPECT_EQ(std::string(a, 10), whole.substr(0, 10));
  EXPECT_EQ(std::string(b, 1), whole.substr(10, 1));
  EXPECT_EQ(std::string(c, 200), whole.substr(11, 200));
  EXPECT_EQ(lseek(fd.get(), 0, SEEK_CUR), 211);
}

TEST(ReadWriteTest, PreadvReadsAtOffset) {
  std::string whole = ReadFile(kBigFile);
  ScopedFd fd(open(kBigFile, O_RDONLY));
  ASSERT_TRUE(fd.valid());
  char a[5], b[7];
  struct iovec iov[2] = {{a, sizeof(a)}, {b, sizeof(b)}};
  ASSERT_EQ(preadv(fd.get(), iov, 2, 4096), 12);
  EXPECT_EQ(std::string(a, 5) + std::string(b, 7), whole.substr(4096, 12));
  EXPECT_EQ(lseek(fd.get(), 0, SEEK_CUR), 0);
}

TEST(ReadWriteTest, WritevToDevNullReturnsSum) {
  ScopedFd fd(open("/dev/null", O_WRONLY));
  ASSERT_TRUE(fd.valid());
  char a[3] = {'a', 'b', 'c'};
  std::vector<char> b(10000, 'x');
  struct iovec iov[3] = {{a, sizeof(a)}, {nullptr, 0}, {b.data(), b.size()}};
  EXPECT_EQ(writev(fd.get(), iov, 3), 10003);
  EXPECT_EQ(syscall(SYS_pwrite64, fd.get(), a, 3, 12345), 3);
  EXPECT_EQ(write(fd.get(), b.data(), b.size()), 10000);
}

TEST(ReadWriteTest, ReadvTooManyIovecsIsEINVAL) {
  ScopedFd fd(open("/dev/zero", O_RDONLY));
  ASSERT_TRUE(fd.valid());
  char c;
  std::vector<struct iovec> iov(IOV_MAX + 1, {&c, 1});
  EXPECT_SYSCALL_ERRNO(readv(fd.get(), iov.data(), static_cast<int>(iov.size())), EINVAL);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_readv, fd.get(), iov.data(), -1), EINVAL);
}

TEST(ReadWriteTest, DevZeroFillsZeros) {
  ScopedFd fd(open("/dev/zero", O_RDONLY));
  ASSERT_TRUE(fd.valid());
  std::vector<char> buf(70000, '\xff');
  ASSERT_EQ(read(fd.get(), buf.data(), buf.size()), static_cast<ssize_t>(buf.size()));
  for (size_t i = 0; i < buf.size(); ++i) ASSERT_EQ(buf[i], 0) << "at " << i;
}

TEST(ReadWriteTest, DevUrandomReturnsRequestedBytes) {
  ScopedFd fd(open("/dev/urandom", O_RDONLY));
  ASSERT_TRUE(fd.valid());
  char a[32] = {}, b[32] = {};
  ASSERT_EQ(read(fd.get(), a, sizeof(a)), 32);
  ASSERT_EQ(read(fd.get(), b, sizeof(b)), 32);
  EXPECT_NE(std::string(a, 32), std::string(b, 32));
}

TEST(ReadWriteTest, ReadIntoUnmappedBufferIsEFAULT) {
  void* bad = UnmappedPage();
  ScopedFd file(open(kRegularFile, O_RDONLY));
  ASSERT_TRUE(file.valid());
  EXPECT_SYSCALL_ERRNO(read(file.get(), bad, 16), EFAULT);
  ScopedFd zero(open("/dev/zero", O_RDONLY));
  ASSERT_TRUE(zero.valid());
  EXPECT_SYSCALL_ERRNO(read(zero.get(), bad, 16), EFAULT);
  EXPECT_SYSCALL_ERRNO(pread(file.get(), bad, 16, 0), EFAULT);
}

TEST(ReadWriteTest, WriteFromUnmappedBufferToPipeIsEFAULT) {
  void* bad = UnmappedPage();
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  ScopedFd r(p[0]), w(p[1]);
  EXPECT_SYSCALL_ERRNO(write(w.get(), bad, 16), EFAULT);
}

TEST(ReadWriteTest, ReadvWithUnmappedIovecIsEFAULT) {
  ScopedFd fd(open("/dev/zero", O_RDONLY));
  ASSERT_TRUE(fd.valid());
  EXPECT_SYSCALL_ERRNO(readv(fd.get(), static_cast<struct iovec*>(UnmappedPage()), 1), EFAULT);
}

TEST(ReadWriteTest, ReadOnPathFdIsEBADF) {
  ScopedFd fd(open(kRegularFile, O_PATH));
  ASSERT_TRUE(fd.valid());
  char c;
  EXPECT_SYSCALL_ERRNO(read(fd.get(), &c, 1), EBADF);
  EXPECT_SYSCALL_ERRNO(pread(fd.get(), &c, 1, 0), EBADF);
}

TEST(ReadWriteTest, WriteOnReadOnlyFdIsEBADF) {
  ScopedFd fd(open(kRegularFile, O_RDONLY));
  ASSERT_TRUE(fd.valid());
  EXPECT_SYSCALL_ERRNO(write(fd.get(), "x", 1), EBADF);
  EXPECT_SYSCALL_ERRNO(pwrite(fd.get(), "x", 1, 0), EBADF);
  ScopedFd null(open("/dev/null", O_RDONLY));
  ASSERT_TRUE(null.valid());
  EXPECT_SYSCALL_ERRNO(write(null.get(), "x", 1), EBADF);
}

TEST(ReadWriteTest, ReadOnWriteOnlyFdIsEBADF) {
  ScopedFd fd(open("/dev/null", O_WRONLY));
  ASSERT_TRUE(fd.valid());
  char c;
  EXPECT_SYSCALL_ERRNO(read(fd.get(), &c, 1), EBADF);
}

TEST(ReadWriteTest, ReadOnDirectoryIsEISDIR) {
  ScopedFd fd(open("/usr", O_RDONLY | O_DIRECTORY));
  ASSERT_TRUE(fd.valid());
  char buf[16];
  EXPECT_SYSCALL_ERRNO(read(fd.get(), buf, sizeof(buf)), EISDIR);
}

TEST(ReadWriteTest, ReadWriteBadFdIsEBADF) {
  char c;
  EXPECT_SYSCALL_ERRNO(read(123456, &c, 1), EBADF);
  EXPECT_SYSCALL_ERRNO(write(-1, &c, 1), EBADF);
}

TEST(ReadWriteTest, PipeRoundTripAndEof) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  ScopedFd r(p[0]), w(p[1]);
  ASSERT_EQ(write(w.get(), "hello", 5), 5);
  char buf[16];
  ASSERT_EQ(read(r.get(), buf, sizeof(buf)), 5);
  EXPECT_EQ(std::string(buf, 5), "hello");
  w.reset();
  EXPECT_EQ(read(r.get(), buf, sizeof(buf)), 0);
}

}  // namespace
}  // namespace syscall_test
