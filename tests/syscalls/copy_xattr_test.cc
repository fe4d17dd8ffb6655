// memfd_create, sendfile, copy_file_range, splice and the xattr calls on files in a scratch directory under
// /tmp (the host's natively; the overlay root's under the sentry). libc + gtest only.
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <string>

#include "gtest/gtest.h"
#include "test_util.h"

namespace {

using syscall_test::ReadFile;
using syscall_test::ScopedFd;

class CopyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/copy_xattr_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr) << strerror(errno);
    dir_ = tmpl;
    src_ = dir_ + "/src";
    ScopedFd fd(open(src_.c_str(), O_CREAT | O_WRONLY, 0644));
    ASSERT_TRUE(fd.valid());
    data_.clear();
    for (int i = 0; i < 100000; ++i) data_.push_back(static_cast<char>('a' + i % 26));
    ASSERT_EQ(write(fd.get(), data_.data(), data_.size()), static_cast<ssize_t>(data_.size()));
  }
  void TearDown() override {
    std::string cmd = "rm -rf -- '" + dir_ + "'";
    (void)system(cmd.c_str());
  }
  std::string Path(const char* name) { return dir_ + "/" + name; }

  std::string dir_, src_, data_;
};

TEST_F(CopyTest, SendfileWithAndWithoutOffset) {
  ScopedFd in(open(src_.c_str(), O_RDONLY));
  ScopedFd out(open(Path("dst").c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644));
  ASSERT_TRUE(in.valid() && out.valid());
  off_t off = 10;
  ASSERT_EQ(sendfile(out.get(), in.get(), &off, 1000), 1000);
  EXPECT_EQ(off, 1010);
  EXPECT_EQ(lseek(in.get(), 0, SEEK_CUR), 0);  // the file offset is untouched
  ASSERT_EQ(sendfile(out.get(), in.get(), nullptr, 500), 500);
  EXPECT_EQ(lseek(in.get(), 0, SEEK_CUR), 500);
  EXPECT_EQ(ReadFile(Path("dst").c_str()), data_.substr(10, 1000) + data_.substr(0, 500));
  off = static_cast<off_t>(data_.size());
  EXPECT_EQ(sendfile(out.get(), in.get(), &off, 100), 0);  // at EOF
}

TEST_F(CopyTest, SendfileErrors) {
  ScopedFd in(open(src_.c_str(), O_RDONLY));
  ScopedFd out(open(Path("dst").c_str(), O_CREAT | O_WRONLY | O_APPEND, 0644));
  EXPECT_EQ(sendfile(out.get(), in.get(), nullptr, 10), -1);
  EXPECT_EQ(errno, EINVAL);  // O_APPEND output
  EXPECT_EQ(sendfile(in.get(), in.get(), nullptr, 10), -1);
  EXPECT_EQ(errno, EBADF);  // output not writable
  EXPECT_EQ(sendfile(out.get(), 9999, nullptr, 10), -1);
  EXPECT_EQ(errno, EBADF);
}

TEST_F(CopyTest, CopyFileRange) {
  ScopedFd in(open(src_.c_str(), O_RDONLY));
  ScopedFd out(open(Path("dst").c_str(), O_CREAT | O_RDWR | O_TRUNC, 0644));
  loff_t in_off = 100, out_off = 0;
  ASSERT_EQ(copy_file_range(in.get(), &in_off, out.get(), &out_off, 50000, 0), 50000);
  EXPECT_EQ(in_off, 50100);
  EXPECT_EQ(out_off, 50000);
  ASSERT_EQ(copy_file_range(in.get(), nullptr, out.get(), nullptr, 7, 0), 7);
  EXPECT_EQ(lseek(in.get(), 0, SEEK_CUR), 7);
  EXPECT_EQ(lseek(out.get(), 0, SEEK_CUR), 7);
  std::string got = ReadFile(Path("dst").c_str());
  EXPECT_EQ(got, data_.substr(0, 7) + data_.substr(107, 49993));
  EXPECT_EQ(copy_file_range(in.get(), nullptr, out.get(), nullptr, 7, 1), -1);
  EXPECT_EQ(errno, EINVAL);  // flags
  ScopedFd dir(open(dir_.c_str(), O_RDONLY | O_DIRECTORY));
  EXPECT_EQ(copy_file_range(dir.get(), nullptr, out.get(), nullptr, 7, 0), -1);
  EXPECT_EQ(errno, EISDIR);
}

TEST_F(CopyTest, SpliceFileToPipeToFile) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  ScopedFd rd(p[0]), wr(p[1]);
  ScopedFd in(open(src_.c_str(), O_RDONLY));
  loff_t off = 5;
  ASSERT_EQ(splice(in.get(), &off, wr.get(), nullptr, 3000, 0), 3000);
  EXPECT_EQ(off, 3005);
  ScopedFd out(open(Path("dst").c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644));
  ssize_t moved = 0;
  while (moved < 3000) {
    ssize_t n = splice(rd.get(), nullptr, out.get(), nullptr, 3000 - moved, 0);
    ASSERT_GT(n, 0) << strerror(errno);
    moved += n;
  }
  EXPECT_EQ(ReadFile(Path("dst").c_str()), data_.substr(5, 3000));
  // An empty pipe with SPLICE_F_NONBLOCK: EAGAIN. Offsets on a pipe: ESPIPE.
  EXPECT_EQ(splice(rd.get(), nullptr, out.get(), nullptr, 10, SPLICE_F_NONBLOCK), -1);
  EXPECT_EQ(errno, EAGAIN);
  loff_t o = 0;
  EXPECT_EQ(splice(rd.get(), &o, out.get(), nullptr, 10, 0), -1);
  EXPECT_EQ(errno, ESPIPE);
  // Two regular files: EINVAL.
  EXPECT_EQ(splice(in.get(), nullptr, out.get(), nullptr, 10, 0), -1);
  EXPECT_EQ(errno, EINVAL);
}

TEST_F(CopyTest, UserXattrsOnAFile) {
  const char* f = src_.c_str();
  if (setxattr(f, "user.probe", "1", 1, 0) != 0 && errno == EOPNOTSUPP) {
    GTEST_SKIP() << "the native /tmp filesystem has no user xattrs";
  }
  ASSERT_EQ(setxattr(f, "user.color", "blue", 4, XATTR_CREATE), 0) << strerror(errno);
  EXPECT_EQ(setxattr(f, "user.color", "red", 3, XATTR_CREATE), -1);
  EXPECT_EQ(errno, EEXIST);
  EXPECT_EQ(setxattr(f, "user.none", "x", 1, XATTR_REPLACE), -1);
  EXPECT_EQ(errno, ENODATA);
  char buf[64];
  EXPECT_EQ(getxattr(f, "user.color", nullptr, 0), 4);  // size query
  EXPECT_EQ(getxattr(f, "user.color", buf, 2), -1);
  EXPECT_EQ(errno, ERANGE);
  ASSERT_EQ(getxattr(f, "user.color", buf, sizeof(buf)), 4);
  EXPECT_EQ(std::string(buf, 4), "blue");
  ssize_t n = listxattr(f, buf, sizeof(buf));
  ASSERT_GT(n, 0);
  std::string list(buf, static_cast<size_t>(n));
  EXPECT_NE(list.find(std::string("user.color\0", 11)), std::string::npos);
  EXPECT_EQ(getxattr(f, "user.missing", buf, sizeof(buf)), -1);
  EXPECT_EQ(errno, ENODATA);
  EXPECT_EQ(getxattr(f, "nonamespace", buf, sizeof(buf)), -1);
  EXPECT_EQ(errno, EOPNOTSUPP);
  EXPECT_EQ(setxattr(f, "", "x", 1, 0), -1);
  EXPECT_EQ(errno, ERANGE);
  EXPECT_EQ(setxattr(f, "user.x", "x", 1, 4), -1);
  EXPECT_EQ(errno, EINVAL);  // unknown flags
  ASSERT_EQ(removexattr(f, "user.color"), 0);
  EXPECT_EQ(removexattr(f, "user.color"), -1);
  EXPECT_EQ(errno, ENODATA);
  ScopedFd fd(open(f, O_RDONLY));
  ASSERT_EQ(fsetxattr(fd.get(), "user.f", "v", 1, 0), 0);
  EXPECT_EQ(fgetxattr(fd.get(), "user.f", buf, sizeof(buf)), 1);
  ASSERT_EQ(symlink("src", Path("link").c_str()), 0);
  EXPECT_EQ(lsetxattr(Path("link").c_str(), "user.l", "v", 1, 0), -1);
  EXPECT_EQ(errno, EPERM);  // user.* only on files and directories
  EXPECT_EQ(getxattr(Path("link").c_str(), "user.f", buf, sizeof(buf)), 1);  // followed
}

TEST(MemfdTest, CreateWriteMapAndName) {
  ScopedFd fd(memfd_create("demo", MFD_CLOEXEC));
  ASSERT_TRUE(fd.valid()) << strerror(errno);
  EXPECT_EQ(fcntl(fd.get(), F_GETFD), FD_CLOEXEC);
  std::string data(70000, 'm');
  ASSERT_EQ(write(fd.get(), data.data(), data.size()), static_cast<ssize_t>(data.size()));
  struct stat st;
  ASSERT_EQ(fstat(fd.get(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_size, 70000);
  void* p = mmap(nullptr, data.size(), PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  ASSERT_NE(p, MAP_FAILED);
  static_cast<char*>(p)[0] = 'X';
  munmap(p, data.size());
  char c;
  ASSERT_EQ(pread(fd.get(), &c, 1, 0), 1);
  EXPECT_EQ(c, 'X');  // one file behind the mapping and the fd
  char link[256] = {};
  std::string self = "/proc/self/fd/" + std::to_string(fd.get());
  ASSERT_GT(readlink(self.c_str(), link, sizeof(link) - 1), 0);
  EXPECT_EQ(std::string(link), "/memfd:demo (deleted)");
  EXPECT_EQ(memfd_create(std::string(250, 'n').c_str(), 0), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(memfd_create("x", 0x100), -1);
  EXPECT_EQ(errno, EINVAL);
}

}  // namespace
