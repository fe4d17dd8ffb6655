// Syscalls that change files and the tree, with Linux's errnos. Each test works in its own
// mkdtemp("/dev/shm/sentry-XXXXXX") directory and removes it (natively the host's /dev/shm, under the
// sentry the sandbox's tmpfs). Owned by the tests team.
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utime.h>

#include <climits>
#include <cstring>
#include <functional>
#include <set>
#include <string>

#include "test_util.h"

namespace {

using syscall_test::ErrnoText;
using syscall_test::ScopedFd;

constexpr long kSysFchmodat2 = 452;

int RemoveOne(const char* path, const struct stat*, int, struct FTW*) { return remove(path); }

class FsWriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/dev/shm/sentry-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr) << ErrnoText(errno);
    dir_ = tmpl;
    old_umask_ = umask(022);
  }
  void TearDown() override {
    umask(old_umask_);
    // Only ever our own mkdtemp directory.
    if (dir_.rfind("/dev/shm/sentry-", 0) == 0 && dir_.size() == 22) {
      nftw(dir_.c_str(), RemoveOne, 16, FTW_DEPTH | FTW_PHYS);
    }
  }
  std::string P(const std::string& rel) const { return dir_ + "/" + rel; }
  void Put(const std::string& rel, const std::string& data, mode_t mode = 0644) {
    ScopedFd fd(open(P(rel).c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, mode));
    ASSERT_TRUE(fd.valid()) << rel << ": " << ErrnoText(errno);
    ASSERT_EQ(write(fd.get(), data.data(), data.size()), static_cast<ssize_t>(data.size()));
  }
  std::string Get(const std::string& rel) { return syscall_test::ReadFile(P(rel).c_str()); }
  struct stat St(const std::string& rel, bool follow = true) {
    struct stat st {};
    int r = follow ? stat(P(rel).c_str(), &st) : lstat(P(rel).c_str(), &st);
    EXPECT_EQ(r, 0) << rel << ": " << ErrnoText(errno);
    return st;
  }
  bool Exists(const std::string& rel) {
    struct stat st;
    return lstat(P(rel).c_str(), &st) == 0;
  }

  std::string dir_;
  mode_t old_umask_ = 022;
};

// Runs `fn` in a child process with the given ids; the child exits with fn's result.
int RunAs(uid_t uid, gid_t gid, const std::function<int()>& fn) {
  pid_t pid = fork();
  if (pid == 0) {
    if (setgroups(0, nullptr) != 0 || setresgid(gid, gid, gid) != 0 ||
        setresuid(uid, uid, uid) != 0) {
      _exit(200);
    }
    _exit(fn());
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// In a RunAs child: 0 if `expr` failed with `err`, else the line number (truncated).
#define CHILD_EXPECT_ERRNO(expr, err)                              \
  do {                                                             \
    errno = 0;                                                     \
    if ((expr) != -1 || errno != (err)) return __LINE__ % 200 + 1; \
  } while (0)
#define CHILD_EXPECT_OK(expr)                    \
  do {                                           \
    if ((expr) == -1) return __LINE__ % 200 + 1; \
  } while (0)

TEST_F(FsWriteTest, MkdirRmdir) {
  struct stat before = St("");
  ASSERT_SYSCALL_OK(mkdir(P("d").c_str(), 0777));
  EXPECT_EQ(St("d").st_mode, S_IFDIR | 0755u);
  EXPECT_EQ(St("").st_nlink, before.st_nlink + 1);
  EXPECT_SYSCALL_ERRNO(mkdir(P("d").c_str(), 0777), EEXIST);
  EXPECT_SYSCALL_ERRNO(mkdir(P("d/").c_str(), 0777), EEXIST);
  ASSERT_SYSCALL_OK(mkdir(P("e/").c_str(), 0700));
  EXPECT_SYSCALL_ERRNO(mkdir(P("missing/x").c_str(), 0777), ENOENT);
  EXPECT_SYSCALL_ERRNO(mkdir(P(std::string(256, 'n')).c_str(), 0777), ENAMETOOLONG);
  Put("d/f", "x");
  EXPECT_SYSCALL_ERRNO(mkdir(P("d/f/x").c_str(), 0777), ENOTDIR);
  EXPECT_SYSCALL_ERRNO(rmdir(P("d").c_str()), ENOTEMPTY);
  EXPECT_SYSCALL_ERRNO(rmdir(P("d/f").c_str()), ENOTDIR);
  EXPECT_SYSCALL_ERRNO(rmdir(P("d/.").c_str()), EINVAL);
  EXPECT_SYSCALL_ERRNO(rmdir(P("d/..").c_str()), ENOTEMPTY);
  EXPECT_SYSCALL_ERRNO(rmdir(P("missing").c_str()), ENOENT);
  EXPECT_SYSCALL_ERRNO(unlink(P("d").c_str()), EISDIR);
  EXPECT_SYSCALL_ERRNO(unlink(P("d/f/").c_str()), ENOTDIR);
  EXPECT_SYSCALL_ERRNO(unlinkat(AT_FDCWD, P("d").c_str(), 0x1), EINVAL);
  ASSERT_SYSCALL_OK(unlinkat(AT_FDCWD, P("d/f").c_str(), 0));
  ASSERT_SYSCALL_OK(unlinkat(AT_FDCWD, P("d").c_str(), AT_REMOVEDIR));
  ASSERT_SYSCALL_OK(rmdir(P("e/").c_str()));
  EXPECT_EQ(St("").st_nlink, before.st_nlink);
  // mkdirat with a directory fd; a file fd is ENOTDIR; a bad one EBADF (unless absolute).
  ScopedFd dfd(open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(dfd.valid());
  ASSERT_SYSCALL_OK(mkdirat(dfd.get(), "sub", 0755));
  EXPECT_TRUE(S_ISDIR(St("sub").st_mode));
  Put("file", "");
  ScopedFd ffd(open(P("file").c_str(), O_RDONLY | O_CLOEXEC));
  EXPECT_SYSCALL_ERRNO(mkdirat(ffd.get(), "x", 0755), ENOTDIR);
  EXPECT_SYSCALL_ERRNO(mkdirat(-5, "x", 0755), EBADF);
  EXPECT_SYSCALL_ERRNO(mkdirat(-5, "", 0755), ENOENT);
  ASSERT_SYSCALL_OK(mkdirat(-5, P("abs").c_str(), 0755));
  EXPECT_SYSCALL_ERRNO(mkdir(reinterpret_cast<const char*>(8), 0755), EFAULT);
  std::string too_long = dir_ + "/" + std::string(PATH_MAX, 'x');
  EXPECT_SYSCALL_ERRNO(mkdir(too_long.c_str(), 0755), ENAMETOOLONG);
}

TEST_F(FsWriteTest, CreateHonoursUmaskAndExcl) {
  umask(027);
  ScopedFd fd(open(P("f").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0777));
  ASSERT_TRUE(fd.valid());
  EXPECT_EQ(St("f").st_mode, S_IFREG | 0750u);
  EXPECT_SYSCALL_ERRNO(open(P("f").c_str(), O_CREAT | O_EXCL | O_RDWR, 0644), EEXIST);
  EXPECT_SYSCALL_ERRNO(open(P("new/").c_str(), O_CREAT | O_RDWR, 0644), EISDIR);
  ASSERT_EQ(write(fd.get(), "hello", 5), 5);
  ScopedFd again(open(P("f").c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
  EXPECT_EQ(St("f").st_size, 0);
  ScopedFd creat_fd(creat(P("c").c_str(), 0644));
  ASSERT_TRUE(creat_fd.valid()) << ErrnoText(errno);
  EXPECT_EQ(fcntl(creat_fd.get(), F_GETFL) & O_ACCMODE, O_WRONLY);
}

TEST_F(FsWriteTest, WriteAppendSeekAndMmap) {
  Put("f", "abc");
  ScopedFd fd(open(P("f").c_str(), O_RDWR | O_APPEND | O_CLOEXEC));
  ASSERT_TRUE(fd.valid());
  ASSERT_EQ(write(fd.get(), "de", 2), 2);
  ASSERT_EQ(pwrite(fd.get(), "f", 1, 0), 1);  // O_APPEND wins over the offset
  EXPECT_EQ(Get("f"), "abcdef");
  char buf[8] = {};
  ASSERT_EQ(pread(fd.get(), buf, 3, 1), 3);
  EXPECT_STREQ(buf, "bcd");
  // A sparse file: data, then a hole to the end.
  ScopedFd sp(open(P("sparse").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644));
  ASSERT_EQ(pwrite(sp.get(), "x", 1, 0), 1);
  ASSERT_SYSCALL_OK(ftruncate(sp.get(), 1 << 20));
  EXPECT_EQ(lseek(sp.get(), 0, SEEK_DATA), 0);
  off_t hole = lseek(sp.get(), 0, SEEK_HOLE);
  EXPECT_GT(hole, 0);
  EXPECT_LT(hole, 1 << 20);
  EXPECT_SYSCALL_ERRNO(lseek(sp.get(), 1 << 20, SEEK_DATA), ENXIO);
  EXPECT_SYSCALL_ERRNO(lseek(sp.get(), (1 << 20) - 1, SEEK_DATA), ENXIO);
  // mmap: writes through a shared mapping show in read(), and the other way round.
  ScopedFd m(open(P("map").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644));
  ASSERT_SYSCALL_OK(ftruncate(m.get(), 4096));
  char* p = static_cast<char*>(mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, m.get(), 0));
  ASSERT_NE(p, MAP_FAILED) << ErrnoText(errno);
  memcpy(p, "mapped", 6);
  ASSERT_EQ(pread(m.get(), buf, 6, 0), 6);
  EXPECT_EQ(std::string(buf, 6), "mapped");
  ASSERT_EQ(pwrite(m.get(), "M", 1, 0), 1);
  EXPECT_EQ(p[0], 'M');
  munmap(p, 4096);
}

TEST_F(FsWriteTest, ExecAFileWrittenHere) {
  std::string exe = P("true");
  {
    ScopedFd in(open("/bin/true", O_RDONLY | O_CLOEXEC));
    ASSERT_TRUE(in.valid());
    ScopedFd out(open(exe.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0755));
    ASSERT_TRUE(out.valid());
    char buf[65536];
    ssize_t n;
    while ((n = read(in.get(), buf, sizeof(buf))) > 0) {
      ASSERT_EQ(write(out.get(), buf, static_cast<size_t>(n)), n);
    }
  }
  pid_t pid = fork();
  if (pid == 0) {
    execl(exe.c_str(), exe.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

TEST_F(FsWriteTest, UnlinkedFileStaysReadableWhileOpen) {
  Put("f", "still here");
  ScopedFd fd(open(P("f").c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_SYSCALL_OK(unlink(P("f").c_str()));
  EXPECT_FALSE(Exists("f"));
  struct stat st;
  ASSERT_SYSCALL_OK(fstat(fd.get(), &st));
  EXPECT_EQ(st.st_nlink, 0u);
  EXPECT_EQ(syscall_test::ReadToEnd(fd.get()), "still here");
  EXPECT_SYSCALL_ERRNO(unlink(P("f").c_str()), ENOENT);
}

TEST_F(FsWriteTest, Rename) {
  Put("a", "A");
  Put("b", "B");
  ino_t a = St("a").st_ino;
  ASSERT_SYSCALL_OK(rename(P("a").c_str(), P("b").c_str()));
  EXPECT_FALSE(Exists("a"));
  EXPECT_EQ(Get("b"), "A");
  EXPECT_EQ(St("b").st_ino, a);
  ASSERT_SYSCALL_OK(mkdir(P("d1").c_str(), 0755));
  ASSERT_SYSCALL_OK(mkdir(P("d1/sub").c_str(), 0755));
  ASSERT_SYSCALL_OK(mkdir(P("d2").c_str(), 0755));
  Put("d1/sub/f", "f");
  EXPECT_SYSCALL_ERRNO(rename(P("d1").c_str(), P("d1/sub/x").c_str()), EINVAL);
  EXPECT_SYSCALL_ERRNO(rename(P("d1/sub").c_str(), P("d1").c_str()), ENOTEMPTY);
  EXPECT_SYSCALL_ERRNO(rename(P("b").c_str(), P("d2").c_str()), EISDIR);
  EXPECT_SYSCALL_ERRNO(rename(P("d2").c_str(), P("b").c_str()), ENOTDIR);
  EXPECT_SYSCALL_ERRNO(rename(P("d2").c_str(), P("d1").c_str()), ENOTEMPTY);
  EXPECT_SYSCALL_ERRNO(rename(P("missing").c_str(), P("x").c_str()), ENOENT);
  EXPECT_SYSCALL_ERRNO(rename(P("b/").c_str(), P("x").c_str()), ENOTDIR);
  EXPECT_SYSCALL_ERRNO(rename(P("d1/.").c_str(), P("x").c_str()), EBUSY);
  EXPECT_SYSCALL_ERRNO(rename(P("b").c_str(), "/proc/sentry-test-x"), EXDEV);
  ASSERT_SYSCALL_OK(rename(P("d1/sub").c_str(), P("d2").c_str()));  // over an empty dir
  EXPECT_EQ(Get("d2/f"), "f");
  EXPECT_EQ(St("d1").st_nlink, 2u);
  // Hard links to one file: nothing happens.
  ASSERT_SYSCALL_OK(link(P("b").c_str(), P("b2").c_str()));
  ASSERT_SYSCALL_OK(rename(P("b").c_str(), P("b2").c_str()));
  EXPECT_TRUE(Exists("b"));
  // renameat2 flags.
  Put("c", "C");
  auto rename2 = [&](const char* from, const char* to, unsigned flags) {
    return syscall(SYS_renameat2, AT_FDCWD, P(from).c_str(), AT_FDCWD, P(to).c_str(), flags);
  };
  EXPECT_SYSCALL_ERRNO(rename2("c", "b", RENAME_NOREPLACE), EEXIST);
  EXPECT_SYSCALL_ERRNO(rename2("c", "b", RENAME_NOREPLACE | RENAME_EXCHANGE), EINVAL);
  EXPECT_SYSCALL_ERRNO(rename2("c", "b", 1u << 8), EINVAL);
  EXPECT_SYSCALL_ERRNO(rename2("c", "nothing", RENAME_EXCHANGE), ENOENT);
  ASSERT_SYSCALL_OK(rename2("c", "d1", RENAME_EXCHANGE));
  EXPECT_EQ(Get("d1"), "C");
  EXPECT_TRUE(S_ISDIR(St("c").st_mode));
  ASSERT_SYSCALL_OK(rename2("d1", "fresh", RENAME_NOREPLACE));
  EXPECT_EQ(Get("fresh"), "C");
  // renameat with directory fds.
  ScopedFd dfd(open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSERT_SYSCALL_OK(renameat(dfd.get(), "fresh", dfd.get(), "c/moved"));
  EXPECT_EQ(Get("c/moved"), "C");
  EXPECT_SYSCALL_ERRNO(renameat(-7, "c", dfd.get(), "x"), EBADF);
}

TEST_F(FsWriteTest, RenamedWorkingDirectoryKeepsItsPath) {
  ASSERT_SYSCALL_OK(mkdir(P("a").c_str(), 0755));
  ASSERT_SYSCALL_OK(mkdir(P("a/b").c_str(), 0755));
  char saved[PATH_MAX];
  ASSERT_NE(getcwd(saved, sizeof(saved)), nullptr);
  ASSERT_SYSCALL_OK(chdir(P("a/b").c_str()));
  ASSERT_SYSCALL_OK(rename(P("a").c_str(), P("z").c_str()));
  char now[PATH_MAX];
  ASSERT_NE(getcwd(now, sizeof(now)), nullptr);
  EXPECT_EQ(std::string(now), P("z/b"));
  ASSERT_SYSCALL_OK(chdir(saved));
}

TEST_F(FsWriteTest, Links) {
  Put("a", "data");
  ASSERT_SYSCALL_OK(link(P("a").c_str(), P("b").c_str()));
  EXPECT_EQ(St("a").st_nlink, 2u);
  EXPECT_EQ(St("a").st_ino, St("b").st_ino);
  EXPECT_SYSCALL_ERRNO(link(P("a").c_str(), P("b").c_str()), EEXIST);
  EXPECT_SYSCALL_ERRNO(link(P("missing").c_str(), P("c").c_str()), ENOENT);
  ASSERT_SYSCALL_OK(mkdir(P("d").c_str(), 0755));
  EXPECT_SYSCALL_ERRNO(link(P("d").c_str(), P("d2").c_str()), EPERM);
  EXPECT_SYSCALL_ERRNO(linkat(AT_FDCWD, P("a").c_str(), AT_FDCWD, P("c").c_str(), 0x2), EINVAL);
  ASSERT_SYSCALL_OK(symlink("a", P("sl").c_str()));
  ASSERT_SYSCALL_OK(linkat(AT_FDCWD, P("sl").c_str(), AT_FDCWD, P("sl2").c_str(), 0));
  EXPECT_TRUE(S_ISLNK(St("sl2", false).st_mode));
  ASSERT_SYSCALL_OK(
      linkat(AT_FDCWD, P("sl").c_str(), AT_FDCWD, P("followed").c_str(), AT_SYMLINK_FOLLOW));
  EXPECT_EQ(St("followed", false).st_ino, St("a").st_ino);
  ASSERT_SYSCALL_OK(unlink(P("a").c_str()));
  EXPECT_EQ(St("b").st_nlink, 2u);
  // O_TMPFILE, then a name with linkat(AT_EMPTY_PATH).
  ScopedFd tmp(open(dir_.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
  ASSERT_TRUE(tmp.valid()) << ErrnoText(errno);
  ASSERT_EQ(write(tmp.get(), "anon", 4), 4);
  ASSERT_SYSCALL_OK(linkat(tmp.get(), "", AT_FDCWD, P("named").c_str(), AT_EMPTY_PATH));
  EXPECT_EQ(Get("named"), "anon");
  ScopedFd excl(open(dir_.c_str(), O_TMPFILE | O_EXCL | O_RDWR | O_CLOEXEC, 0600));
  ASSERT_TRUE(excl.valid());
  EXPECT_SYSCALL_ERRNO(linkat(excl.get(), "", AT_FDCWD, P("no").c_str(), AT_EMPTY_PATH), ENOENT);
  EXPECT_SYSCALL_ERRNO(linkat(tmp.get(), "", AT_FDCWD, P("x").c_str(), 0), ENOENT);
}

TEST_F(FsWriteTest, Symlinks) {
  ASSERT_SYSCALL_OK(symlink("target/path", P("l").c_str()));
  struct stat st = St("l", false);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(st.st_size, 11);
  char buf[64];
  ASSERT_EQ(readlink(P("l").c_str(), buf, sizeof(buf)), 11);
  EXPECT_EQ(std::string(buf, 11), "target/path");
  EXPECT_SYSCALL_ERRNO(symlink("x", P("l").c_str()), EEXIST);
  EXPECT_SYSCALL_ERRNO(symlink("", P("e").c_str()), ENOENT);
  EXPECT_SYSCALL_ERRNO(symlink("x", P("missing/e").c_str()), ENOENT);
  ScopedFd dfd(open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSERT_SYSCALL_OK(symlinkat("/", dfd.get(), "root"));
  EXPECT_TRUE(S_ISDIR(St("root/").st_mode));
  EXPECT_SYSCALL_ERRNO(symlink(reinterpret_cast<const char*>(8), P("f").c_str()), EFAULT);
  // A dangling link: O_CREAT makes its target.
  ASSERT_SYSCALL_OK(symlink("made", P("dangling").c_str()));
  ScopedFd fd(open(P("dangling").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
  ASSERT_TRUE(fd.valid());
  EXPECT_TRUE(S_ISREG(St("made").st_mode));
}

TEST_F(FsWriteTest, TruncateAndFallocate) {
  Put("f", "hello world");
  ASSERT_SYSCALL_OK(truncate(P("f").c_str(), 5));
  EXPECT_EQ(Get("f"), "hello");
  ASSERT_SYSCALL_OK(truncate(P("f").c_str(), 8));
  EXPECT_EQ(Get("f"), std::string("hello\0\0\0", 8));
  EXPECT_SYSCALL_ERRNO(truncate(P("f").c_str(), -1), EINVAL);
  EXPECT_SYSCALL_ERRNO(truncate(P("missing").c_str(), 0), ENOENT);
  EXPECT_SYSCALL_ERRNO(truncate(dir_.c_str(), 0), EISDIR);
  ScopedFd rw(open(P("f").c_str(), O_RDWR | O_CLOEXEC));
  ScopedFd ro(open(P("f").c_str(), O_RDONLY | O_CLOEXEC));
  ScopedFd path(open(P("f").c_str(), O_PATH | O_CLOEXEC));
  ASSERT_SYSCALL_OK(ftruncate(rw.get(), 2));
  EXPECT_EQ(St("f").st_size, 2);
  EXPECT_SYSCALL_ERRNO(ftruncate(ro.get(), 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(ftruncate(path.get(), 0), EBADF);
  EXPECT_SYSCALL_ERRNO(ftruncate(rw.get(), -1), EINVAL);
  EXPECT_SYSCALL_ERRNO(ftruncate(999, 0), EBADF);
  ASSERT_SYSCALL_OK(fallocate(rw.get(), 0, 0, 8192));
  EXPECT_EQ(St("f").st_size, 8192);
  ASSERT_SYSCALL_OK(fallocate(rw.get(), FALLOC_FL_KEEP_SIZE, 0, 16384));
  EXPECT_EQ(St("f").st_size, 8192);
  ASSERT_SYSCALL_OK(fallocate(rw.get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096));
  EXPECT_EQ(St("f").st_size, 8192);
  EXPECT_SYSCALL_ERRNO(fallocate(rw.get(), FALLOC_FL_PUNCH_HOLE, 0, 4096), EOPNOTSUPP);
  EXPECT_SYSCALL_ERRNO(fallocate(rw.get(), 0, 0, 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(fallocate(rw.get(), 0, -1, 1), EINVAL);
  EXPECT_SYSCALL_ERRNO(fallocate(ro.get(), 0, 0, 1), EBADF);
  EXPECT_SYSCALL_ERRNO(fallocate(999, 0, 0, 1), EBADF);
  int pipefd[2];
  ASSERT_SYSCALL_OK(pipe2(pipefd, O_CLOEXEC));
  ScopedFd pr(pipefd[0]), pw(pipefd[1]);
  EXPECT_SYSCALL_ERRNO(fallocate(pw.get(), 0, 0, 1), ESPIPE);
  EXPECT_SYSCALL_ERRNO(ftruncate(pw.get(), 0), EINVAL);
}

TEST_F(FsWriteTest, ChmodChown) {
  Put("f", "x");
  ASSERT_SYSCALL_OK(chmod(P("f").c_str(), 0600));
  EXPECT_EQ(St("f").st_mode, S_IFREG | 0600u);
  ScopedFd fd(open(P("f").c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_SYSCALL_OK(fchmod(fd.get(), 0640));
  EXPECT_EQ(St("f").st_mode & 07777, 0640u);
  ASSERT_SYSCALL_OK(fchmodat(AT_FDCWD, P("f").c_str(), 0444, 0));
  EXPECT_EQ(St("f").st_mode & 07777, 0444u);
  ScopedFd path(open(P("f").c_str(), O_PATH | O_CLOEXEC));
  EXPECT_SYSCALL_ERRNO(fchmod(path.get(), 0644), EBADF);
  EXPECT_SYSCALL_ERRNO(fchmod(999, 0644), EBADF);
  EXPECT_SYSCALL_ERRNO(chmod(P("missing").c_str(), 0644), ENOENT);
  ASSERT_SYSCALL_OK(symlink("f", P("l").c_str()));
  EXPECT_SYSCALL_ERRNO(syscall(kSysFchmodat2, AT_FDCWD, P("l").c_str(), 0644, AT_SYMLINK_NOFOLLOW),
                       EOPNOTSUPP);
  EXPECT_SYSCALL_ERRNO(syscall(kSysFchmodat2, AT_FDCWD, P("f").c_str(), 0644, 0x1), EINVAL);
  ASSERT_SYSCALL_OK(syscall(kSysFchmodat2, path.get(), "", 0604, AT_EMPTY_PATH));
  EXPECT_EQ(St("f").st_mode & 07777, 0604u);
  if (geteuid() != 0) GTEST_SKIP() << "chown needs root";
  ASSERT_SYSCALL_OK(chown(P("f").c_str(), 1234, 5678));
  EXPECT_EQ(St("f").st_uid, 1234u);
  EXPECT_EQ(St("f").st_gid, 5678u);
  ASSERT_SYSCALL_OK(chown(P("f").c_str(), -1, 42));
  EXPECT_EQ(St("f").st_uid, 1234u);
  EXPECT_EQ(St("f").st_gid, 42u);
  ASSERT_SYSCALL_OK(fchown(fd.get(), 7, -1));
  EXPECT_EQ(St("f").st_uid, 7u);
  ASSERT_SYSCALL_OK(lchown(P("l").c_str(), 99, 98));
  EXPECT_EQ(St("l", false).st_uid, 99u);
  EXPECT_EQ(St("f").st_uid, 7u);
  ASSERT_SYSCALL_OK(fchownat(AT_FDCWD, P("l").c_str(), 1, 1, AT_SYMLINK_NOFOLLOW));
  EXPECT_EQ(St("l", false).st_uid, 1u);
  ASSERT_SYSCALL_OK(fchownat(path.get(), "", 3, 3, AT_EMPTY_PATH));
  EXPECT_EQ(St("f").st_uid, 3u);
  EXPECT_SYSCALL_ERRNO(fchownat(AT_FDCWD, P("f").c_str(), 1, 1, 0x2), EINVAL);
  // A new owner drops set-user-ID.
  ASSERT_SYSCALL_OK(chmod(P("f").c_str(), 04755));
  ASSERT_SYSCALL_OK(chown(P("f").c_str(), 0, 0));
  EXPECT_EQ(St("f").st_mode & 07777, 0755u);
}

TEST_F(FsWriteTest, Times) {
  Put("f", "x");
  struct timespec ts[2] = {{1000, 5}, {2000, 6}};
  ASSERT_SYSCALL_OK(utimensat(AT_FDCWD, P("f").c_str(), ts, 0));
  struct stat st = St("f");
  EXPECT_EQ(st.st_atim.tv_sec, 1000);
  EXPECT_EQ(st.st_atim.tv_nsec, 5);
  EXPECT_EQ(st.st_mtim.tv_sec, 2000);
  EXPECT_EQ(st.st_mtim.tv_nsec, 6);
  struct timespec omit_now[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
  ASSERT_SYSCALL_OK(utimensat(AT_FDCWD, P("f").c_str(), omit_now, 0));
  st = St("f");
  EXPECT_EQ(st.st_atim.tv_sec, 1000);
  EXPECT_GT(st.st_mtim.tv_sec, 2000);
  struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
  EXPECT_SYSCALL_ERRNO(utimensat(AT_FDCWD, P("f").c_str(), bad, 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(utimensat(AT_FDCWD, P("f").c_str(), ts, 0x1), EINVAL);
  EXPECT_SYSCALL_ERRNO(utimensat(AT_FDCWD, P("missing").c_str(), nullptr, 0), ENOENT);
  // Both UTIME_OMIT: Linux does not even look at the path.
  struct timespec omit[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
  EXPECT_EQ(utimensat(AT_FDCWD, P("missing").c_str(), omit, 0), 0);
  // futimens (a null path with a file descriptor).
  ScopedFd fd(open(P("f").c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_SYSCALL_OK(futimens(fd.get(), ts));
  EXPECT_EQ(St("f").st_mtim.tv_sec, 2000);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_utimensat, fd.get(), nullptr, ts, AT_SYMLINK_NOFOLLOW), EINVAL);
  EXPECT_SYSCALL_ERRNO(syscall(SYS_utimensat, AT_FDCWD, nullptr, ts, 0), EFAULT);
  EXPECT_SYSCALL_ERRNO(futimens(999, ts), EBADF);
  // Symlinks themselves with AT_SYMLINK_NOFOLLOW.
  ASSERT_SYSCALL_OK(symlink("f", P("l").c_str()));
  struct timespec old[2] = {{10, 0}, {20, 0}};
  ASSERT_SYSCALL_OK(utimensat(AT_FDCWD, P("l").c_str(), old, AT_SYMLINK_NOFOLLOW));
  EXPECT_EQ(St("l", false).st_mtim.tv_sec, 20);
  EXPECT_EQ(St("f").st_mtim.tv_sec, 2000);
  // utimes/utime/futimesat: microseconds and seconds.
  struct timeval tv[2] = {{30, 7}, {40, 8}};
  ASSERT_SYSCALL_OK(utimes(P("f").c_str(), tv));
  st = St("f");
  EXPECT_EQ(st.st_mtim.tv_sec, 40);
  EXPECT_EQ(st.st_mtim.tv_nsec, 8000);
  struct timeval bad_tv[2] = {{0, 1000000}, {0, 0}};
  EXPECT_SYSCALL_ERRNO(utimes(P("f").c_str(), bad_tv), EINVAL);
  struct utimbuf ub = {50, 60};
  ASSERT_SYSCALL_OK(utime(P("f").c_str(), &ub));
  EXPECT_EQ(St("f").st_atim.tv_sec, 50);
  EXPECT_EQ(St("f").st_mtim.tv_sec, 60);
  ASSERT_SYSCALL_OK(syscall(SYS_futimesat, AT_FDCWD, P("f").c_str(), tv));
  EXPECT_EQ(St("f").st_mtim.tv_sec, 40);
  ASSERT_SYSCALL_OK(utime(P("f").c_str(), nullptr));
  EXPECT_GT(St("f").st_mtim.tv_sec, 60);
  // Writing moves mtime; creating a name moves the directory's.
  ASSERT_SYSCALL_OK(utimes(dir_.c_str(), tv));
  Put("g", "");
  EXPECT_GT(St("").st_mtim.tv_sec, 40);
}

TEST_F(FsWriteTest, SyncAndStatfs) {
  Put("f", "x");
  ScopedFd fd(open(P("f").c_str(), O_RDWR | O_CLOEXEC));
  ScopedFd dfd(open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSERT_SYSCALL_OK(fsync(fd.get()));
  ASSERT_SYSCALL_OK(fdatasync(fd.get()));
  ASSERT_SYSCALL_OK(fsync(dfd.get()));
  ASSERT_SYSCALL_OK(syncfs(fd.get()));
  sync();
  EXPECT_SYSCALL_ERRNO(fsync(999), EBADF);
  EXPECT_SYSCALL_ERRNO(syncfs(999), EBADF);
  int pipefd[2];
  ASSERT_SYSCALL_OK(pipe2(pipefd, O_CLOEXEC));
  ScopedFd pr(pipefd[0]), pw(pipefd[1]);
  EXPECT_SYSCALL_ERRNO(fsync(pr.get()), EINVAL);
  ScopedFd path(open(P("f").c_str(), O_PATH | O_CLOEXEC));
  EXPECT_SYSCALL_ERRNO(fsync(path.get()), EBADF);
  struct statfs a, b;
  ASSERT_SYSCALL_OK(statfs(dir_.c_str(), &a));
  EXPECT_GT(a.f_bsize, 0);
  EXPECT_GT(a.f_blocks, 0u);
  EXPECT_LE(a.f_bfree, a.f_blocks);
  EXPECT_EQ(a.f_namelen, 255);
  ASSERT_SYSCALL_OK(fstatfs(fd.get(), &b));
  EXPECT_EQ(a.f_type, b.f_type);
  ASSERT_SYSCALL_OK(fstatfs(path.get(), &b));  // O_PATH is fine for fstatfs
  EXPECT_SYSCALL_ERRNO(statfs(P("missing").c_str(), &a), ENOENT);
  EXPECT_SYSCALL_ERRNO(statfs(dir_.c_str(), reinterpret_cast<struct statfs*>(8)), EFAULT);
  EXPECT_SYSCALL_ERRNO(fstatfs(999, &a), EBADF);
}

TEST_F(FsWriteTest, MknodAndFifos) {
  ASSERT_SYSCALL_OK(mknod(P("reg").c_str(), S_IFREG | 0600, 0));
  EXPECT_EQ(St("reg").st_mode, S_IFREG | 0600u);
  ASSERT_SYSCALL_OK(mknod(P("plain").c_str(), 0600, 0));
  EXPECT_TRUE(S_ISREG(St("plain").st_mode));
  EXPECT_SYSCALL_ERRNO(mknod(P("dir").c_str(), S_IFDIR | 0755, 0), EPERM);
  EXPECT_SYSCALL_ERRNO(mknod(P("bad").c_str(), 0170000 | 0600, 0), EINVAL);
  EXPECT_SYSCALL_ERRNO(mknod(P("reg").c_str(), S_IFIFO | 0600, 0), EEXIST);
  ASSERT_SYSCALL_OK(mkfifo(P("fifo").c_str(), 0644));
  EXPECT_EQ(St("fifo").st_mode, S_IFIFO | 0644u);
  EXPECT_SYSCALL_ERRNO(open(P("fifo").c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC), ENXIO);
  pid_t pid = fork();
  if (pid == 0) {
    int w = open(P("fifo").c_str(), O_WRONLY | O_CLOEXEC);
    if (w < 0) _exit(1);
    if (write(w, "through the fifo", 16) != 16) _exit(2);
    _exit(0);
  }
  ScopedFd r(open(P("fifo").c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(r.valid()) << ErrnoText(errno);
  EXPECT_EQ(syscall_test::ReadToEnd(r.get()), "through the fifo");
  int status;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_EQ(status, 0);
}

TEST_F(FsWriteTest, DirectoryListingSurvivesChanges) {
  for (int i = 0; i < 60; ++i) Put("f" + std::to_string(i), "");
  ScopedFd d(open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(d.valid());
  std::multiset<std::string> seen;
  // Small getdents64 reads, so that the changes below happen halfway through the listing.
  auto read_some = [&]() -> long {
    alignas(8) char buf[256];
    long n = syscall(SYS_getdents64, d.get(), buf, sizeof(buf));
    EXPECT_GE(n, 0) << ErrnoText(errno);
    for (long off = 0; off < n;) {
      auto* e = reinterpret_cast<struct dirent64*>(buf + off);
      seen.insert(e->d_name);
      off += e->d_reclen;
    }
    return n;
  };
  ASSERT_GT(read_some(), 0);
  ASSERT_LT(seen.size(), 30u);
  // Remove five names not listed yet, and add some.
  std::set<std::string> gone;
  for (int i = 0; i < 60 && gone.size() < 5; ++i) {
    std::string name = "f" + std::to_string(i);
    if (seen.count(name)) continue;
    ASSERT_SYSCALL_OK(unlink(P(name).c_str()));
    gone.insert(name);
  }
  for (int i = 0; i < 5; ++i) Put("new" + std::to_string(i), "");
  while (read_some() > 0) {
  }
  // Untouched entries come exactly once; removed or added ones at most once.
  for (int i = 0; i < 60; ++i) {
    std::string name = "f" + std::to_string(i);
    if (gone.count(name)) {
      EXPECT_LE(seen.count(name), 1u) << name;
    } else {
      EXPECT_EQ(seen.count(name), 1u) << name;
    }
  }
  for (const std::string& s : seen) EXPECT_EQ(seen.count(s), 1u) << s;
  EXPECT_EQ(seen.count("."), 1u);
  EXPECT_EQ(seen.count(".."), 1u);
}

TEST_F(FsWriteTest, PermissionsAndStickyDirectories) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to switch users";
  umask(0);
  ASSERT_SYSCALL_OK(chmod(dir_.c_str(), 01777));
  ASSERT_SYSCALL_OK(mkdir(P("rootonly").c_str(), 0755));
  Put("rootfile", "r", 0644);
  std::string d = dir_;
  // alice (1000) creates; bob (1001) may not remove or rename what is hers.
  EXPECT_EQ(RunAs(1000, 1000,
                  [&] {
                    int fd = open((d + "/alices").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
                    if (fd < 0) return 1;
                    close(fd);
                    CHILD_EXPECT_ERRNO(mkdir((d + "/rootonly/x").c_str(), 0777), EACCES);
                    CHILD_EXPECT_ERRNO(open((d + "/rootfile").c_str(), O_WRONLY), EACCES);
                    CHILD_EXPECT_ERRNO(chmod((d + "/rootfile").c_str(), 0777), EPERM);
                    CHILD_EXPECT_ERRNO(chown((d + "/alices").c_str(), 1001, -1), EPERM);
                    CHILD_EXPECT_ERRNO(utimensat(AT_FDCWD, (d + "/rootfile").c_str(), nullptr, 0),
                                       EACCES);
                    struct timespec ts[2] = {{1, 0}, {1, 0}};
                    CHILD_EXPECT_ERRNO(utimensat(AT_FDCWD, (d + "/rootfile").c_str(), ts, 0),
                                       EPERM);
                    CHILD_EXPECT_ERRNO(truncate((d + "/rootfile").c_str(), 0), EACCES);
                    CHILD_EXPECT_ERRNO(unlink((d + "/rootfile").c_str()), EPERM);  // sticky
                    CHILD_EXPECT_OK(chmod((d + "/alices").c_str(), 0600));
                    return 0;
                  }),
            0);
  EXPECT_EQ(RunAs(1001, 1001,
                  [&] {
                    CHILD_EXPECT_ERRNO(unlink((d + "/alices").c_str()), EPERM);
                    CHILD_EXPECT_ERRNO(rename((d + "/alices").c_str(), (d + "/mine").c_str()),
                                       EPERM);
                    CHILD_EXPECT_ERRNO(open((d + "/alices").c_str(), O_RDONLY), EACCES);
                    CHILD_EXPECT_ERRNO(link((d + "/alices").c_str(), (d + "/hard").c_str()), EPERM);
                    return 0;
                  }),
            0);
  EXPECT_EQ(RunAs(1000, 1000,
                  [&] {
                    CHILD_EXPECT_OK(unlink((d + "/alices").c_str()));
                    return 0;
                  }),
            0);
  EXPECT_FALSE(Exists("alices"));
}

}  // namespace
