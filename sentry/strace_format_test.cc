// Tests of --strace line formatting against a fake guest memory.
// Owned by the sentry; single-threaded gtest.
#include "sentry/strace_format.h"

#include <asm/unistd_64.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>

#include <array>
#include <cstring>
#include <map>
#include <string>

#include "gtest/gtest.h"

namespace sentry {
namespace {

using Args = std::array<uint64_t, 6>;

// Guest memory made of a few separate regions; a read must fall inside one region.
class FakeMemory {
 public:
  void Put(uint64_t addr, std::string_view bytes) { regions_[addr] = std::string(bytes); }
  void PutU64s(uint64_t addr, std::initializer_list<uint64_t> words) {
    std::string bytes(words.size() * 8, '\0');
    size_t i = 0;
    for (uint64_t w : words) memcpy(bytes.data() + 8 * i++, &w, 8);
    Put(addr, bytes);
  }
  ReadGuestFn Reader() {
    return [this](uint64_t addr, void* buf, size_t len) {
      ++reads_;
      auto it = regions_.upper_bound(addr);
      if (it == regions_.begin()) return false;
      --it;
      uint64_t off = addr - it->first;
      if (off + len > it->second.size()) return false;
      memcpy(buf, it->second.data() + off, len);
      return true;
    };
  }
  int reads() const { return reads_; }

 private:
  std::map<uint64_t, std::string> regions_;
  int reads_ = 0;
};

class StraceFormatTest : public ::testing::Test {
 protected:
  std::string Line(int64_t nr, Args args, int64_t ret) {
    return FormatStraceLine(nr, args, ret, mem_.Reader());
  }
  FakeMemory mem_;
};

TEST_F(StraceFormatTest, OpenatSuccessAndError) {
  mem_.Put(0x1000, std::string("/etc/passwd\0", 12));
  EXPECT_EQ(Line(__NR_openat, {static_cast<uint64_t>(AT_FDCWD), 0x1000, O_RDONLY | O_CLOEXEC}, 3),
            "openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC, 0) = 3");
  EXPECT_EQ(Line(__NR_openat, {static_cast<uint64_t>(AT_FDCWD), 0x1000, O_RDONLY}, -ENOENT),
            "openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY, 0) = -1 ENOENT (No such file or "
            "directory)");
  EXPECT_EQ(Line(__NR_openat, {5, 0x1000, O_WRONLY | O_CREAT | O_TRUNC, 0644}, 4),
            "openat(5, \"/etc/passwd\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 4");
  EXPECT_EQ(Line(__NR_open, {0x1000, O_RDWR | O_DIRECTORY | O_NOFOLLOW | 0x40000000}, -EACCES),
            "open(\"/etc/passwd\", O_RDWR|O_DIRECTORY|O_NOFOLLOW|0x40000000, 0) = -1 EACCES "
            "(Permission denied)");
  EXPECT_EQ(Line(__NR_open, {0x1000, 020200000 | O_RDWR, 0600}, 3),
            "open(\"/etc/passwd\", O_RDWR|O_TMPFILE, 0600) = 3");
}

TEST_F(StraceFormatTest, UnreadableAndNullPaths) {
  EXPECT_EQ(Line(__NR_openat, {static_cast<uint64_t>(AT_FDCWD), 0xdead0000, O_RDONLY}, -EFAULT),
            "openat(AT_FDCWD, 0xdead0000, O_RDONLY, 0) = -1 EFAULT (Bad address)");
  EXPECT_EQ(Line(__NR_chdir, {0}, -EFAULT), "chdir(NULL) = -1 EFAULT (Bad address)");
}

TEST_F(StraceFormatTest, LongPathIsTruncated) {
  std::string path(100, 'a');
  mem_.Put(0x2000, path + '\0');
  EXPECT_EQ(Line(__NR_chdir, {0x2000}, 0), "chdir(\"" + std::string(64, 'a') + "\"...) = 0");
  mem_.Put(0x3000, std::string(64, 'b') + '\0');  // exactly 64: not truncated
  EXPECT_EQ(Line(__NR_chdir, {0x3000}, 0), "chdir(\"" + std::string(64, 'b') + "\") = 0");
}

TEST_F(StraceFormatTest, StringEndingAtAPageBoundaryIsRead) {
  // "abc\0" ends exactly at 0x10000; nothing is mapped after it.
  mem_.Put(0x10000 - 4, std::string("abc\0", 4));
  EXPECT_EQ(Line(__NR_unlink, {0x10000 - 4}, 0), "unlink(\"abc\") = 0");
  // An unterminated string running into unmapped memory shows what was readable.
  mem_.Put(0x20000 - 3, "xyz");
  EXPECT_EQ(Line(__NR_unlink, {0x20000 - 3}, 0), "unlink(\"xyz\"...) = 0");
}

TEST_F(StraceFormatTest, Escapes) {
  mem_.Put(0x4000, std::string("a\"b\\c\n\t\001\0017\xff", 11));
  EXPECT_EQ(Line(__NR_write, {1, 0x4000, 11}, 11),
            "write(1, \"a\\\"b\\\\c\\n\\t\\1\\0017\\377\", 11) = 11");
}

TEST_F(StraceFormatTest, ReadShowsResultBytes) {
  mem_.Put(0x5000, std::string("hello\nworld-and-more-garbage"));
  EXPECT_EQ(Line(__NR_read, {3, 0x5000, 4096}, 6), "read(3, \"hello\\n\", 4096) = 6");
  EXPECT_EQ(Line(__NR_read, {3, 0x5000, 4096}, -EAGAIN),
            "read(3, 0x5000, 4096) = -1 EAGAIN (Resource temporarily unavailable)");
  EXPECT_EQ(Line(__NR_read, {3, 0x5000, 4096}, 0), "read(3, \"\", 4096) = 0");
}

TEST_F(StraceFormatTest, WriteLongBufferIsTruncated) {
  mem_.Put(0x6000, std::string(200, 'z'));
  EXPECT_EQ(Line(__NR_write, {1, 0x6000, 200}, 200),
            "write(1, \"" + std::string(64, 'z') + "\"..., 200) = 200");
  EXPECT_EQ(Line(__NR_write, {1, 0x7000, 5}, -EFAULT),
            "write(1, 0x7000, 5) = -1 EFAULT (Bad address)");
}

TEST_F(StraceFormatTest, GetcwdAndReadlink) {
  mem_.Put(0x8000, std::string("/home/user\0junk", 15));
  EXPECT_EQ(Line(__NR_getcwd, {0x8000, 4096}, 11), "getcwd(\"/home/user\", 4096) = 11");
  mem_.Put(0x9000, std::string("/proc/self/exe\0", 15));
  mem_.Put(0xa000, "/usr/bin/lsXXXXXXXX");
  EXPECT_EQ(Line(__NR_readlink, {0x9000, 0xa000, 4096}, 11),
            "readlink(\"/proc/self/exe\", \"/usr/bin/ls\", 4096) = 11");
}

TEST_F(StraceFormatTest, MmapFamily) {
  EXPECT_EQ(Line(__NR_mmap,
                 {0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                  static_cast<uint64_t>(-1), 0},
                 0x7f0000001000),
            "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = "
            "0x7f0000001000");
  EXPECT_EQ(
      Line(__NR_mmap, {0x400000, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED, 3, 0x1000},
           -ENOMEM),
      "mmap(0x400000, 4096, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED, 3, 0x1000) = -1 "
      "ENOMEM (Cannot allocate memory)");
  EXPECT_EQ(Line(__NR_mprotect, {0x1000, 4096, PROT_NONE}, 0),
            "mprotect(0x1000, 4096, PROT_NONE) = 0");
  EXPECT_EQ(Line(__NR_brk, {0}, 0x555555559000), "brk(NULL) = 0x555555559000");
}

TEST_F(StraceFormatTest, CloneAndSignals) {
  EXPECT_EQ(Line(__NR_clone, {0x1200011, 0, 0, 0x7f00000000a0, 0}, 42),
            "clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, NULL, NULL, 0x7f00000000a0, "
            "0) = 42");
  EXPECT_EQ(Line(__NR_clone,
                 {0x3d0f00, 0x7f0000100000, 0x7f0000000010, 0x7f0000000010, 0x7f0000000640}, 43),
            "clone(CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|"
            "CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, 0x7f0000100000, "
            "0x7f0000000010, 0x7f0000000010, 0x7f0000000640) = 43");
  EXPECT_EQ(Line(__NR_unshare, {0x10000000 | 0x80}, -EPERM),
            "unshare(CLONE_NEWTIME|CLONE_NEWUSER) = -1 EPERM (Operation not permitted)");
  EXPECT_EQ(Line(__NR_kill, {1, SIGTERM}, 0), "kill(1, SIGTERM) = 0");
  EXPECT_EQ(Line(__NR_tgkill, {5, 6, 34}, 0), "tgkill(5, 6, SIGRT_2) = 0");
  EXPECT_EQ(Line(__NR_kill, {static_cast<uint64_t>(-1), 0}, -ESRCH),
            "kill(-1, 0) = -1 ESRCH (No such process)");
}

TEST_F(StraceFormatTest, EnumsAndModes) {
  EXPECT_EQ(Line(__NR_lseek, {3, 0, SEEK_END}, 100), "lseek(3, 0, SEEK_END) = 100");
  EXPECT_EQ(Line(__NR_lseek, {3, static_cast<uint64_t>(-5), 9}, -EINVAL),
            "lseek(3, -5, 9) = -1 EINVAL (Invalid argument)");
  EXPECT_EQ(Line(__NR_ioctl, {1, 0x5401, 0x7ffc0000}, -ENOTTY),
            "ioctl(1, TCGETS, 0x7ffc0000) = -1 ENOTTY (Inappropriate ioctl for device)");
  EXPECT_EQ(Line(__NR_ioctl, {1, 0x5413, 0x7ffc0000}, 0), "ioctl(1, TIOCGWINSZ, 0x7ffc0000) = 0");
  EXPECT_EQ(Line(__NR_ioctl, {1, 0x12345678, 0}, -ENOTTY),
            "ioctl(1, 0x12345678, 0) = -1 ENOTTY (Inappropriate ioctl for device)");
  EXPECT_EQ(Line(__NR_fcntl, {3, F_SETFD, 1}, 0), "fcntl(3, F_SETFD, 0x1) = 0");
  EXPECT_EQ(Line(__NR_fcntl, {3, F_DUPFD_CLOEXEC, 10}, 10), "fcntl(3, F_DUPFD_CLOEXEC, 0xa) = 10");
  EXPECT_EQ(Line(__NR_umask, {022}, 077), "umask(022) = 077");
  mem_.Put(0xb000, std::string("/bin/sh\0", 8));
  EXPECT_EQ(Line(__NR_access, {0xb000, R_OK | X_OK}, 0), "access(\"/bin/sh\", R_OK|X_OK) = 0");
  EXPECT_EQ(Line(__NR_access, {0xb000, F_OK}, 0), "access(\"/bin/sh\", F_OK) = 0");
  EXPECT_EQ(Line(__NR_faccessat2, {static_cast<uint64_t>(AT_FDCWD), 0xb000, W_OK, 0x200}, 0),
            "faccessat2(AT_FDCWD, \"/bin/sh\", W_OK, AT_EACCESS) = 0");
  EXPECT_EQ(Line(__NR_newfstatat, {3, 0xb000, 0x7ffc0000, 0x1100}, 0),
            "newfstatat(3, \"/bin/sh\", 0x7ffc0000, AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH) = 0");
  EXPECT_EQ(Line(__NR_dup3, {3, 4, O_CLOEXEC}, 4), "dup3(3, 4, O_RDONLY|O_CLOEXEC) = 4");
}

TEST_F(StraceFormatTest, Argv) {
  mem_.Put(0xc000, std::string("/bin/ls\0", 8));
  mem_.Put(0xd000, std::string("ls\0", 3));
  mem_.Put(0xd100, std::string("-l\0", 3));
  mem_.PutU64s(0xe000, {0xd000, 0xd100, 0});
  EXPECT_EQ(Line(__NR_execve, {0xc000, 0xe000, 0xf000}, 0),
            "execve(\"/bin/ls\", [\"ls\", \"-l\"], 0xf000) = 0");
  EXPECT_EQ(Line(__NR_execve, {0xc000, 0x99000, 0}, -EFAULT),
            "execve(\"/bin/ls\", 0x99000, NULL) = -1 EFAULT (Bad address)");
  // An argv whose array runs into unmapped memory.
  mem_.PutU64s(0xe800, {0xd000});
  EXPECT_EQ(Line(__NR_execve, {0xc000, 0xe800, 0}, 0),
            "execve(\"/bin/ls\", [\"ls\", ...], NULL) = 0");
}

TEST_F(StraceFormatTest, UnknownSyscalls) {
  EXPECT_EQ(Line(500, {1, 2, 3, 4, 5, 6}, -ENOSYS),
            "syscall_500(0x1, 0x2, 0x3, 0x4, 0x5, 0x6) = -1 ENOSYS (Function not implemented)");
  EXPECT_EQ(Line(400, {}, -ENOSYS),
            "syscall_400(0, 0, 0, 0, 0, 0) = -1 ENOSYS (Function not implemented)");
  EXPECT_EQ(Line(-1, {}, -ENOSYS),
            "syscall_-1(0, 0, 0, 0, 0, 0) = -1 ENOSYS (Function not implemented)");
}

TEST_F(StraceFormatTest, ReturnValues) {
  EXPECT_EQ(Line(__NR_getuid, {}, 0), "getuid() = 0");
  EXPECT_EQ(Line(__NR_close, {3}, -4095), "close(3) = -1 EUNKNOWN (Unknown error 4095)");
  EXPECT_EQ(Line(__NR_close, {3}, -512),
            "close(3) = -1 ERESTARTSYS (To be restarted if SA_RESTART is set)");
  EXPECT_EQ(Line(__NR_lseek, {3, 0, SEEK_CUR}, -4096), "lseek(3, 0, SEEK_CUR) = -4096");
}

TEST_F(StraceFormatTest, AppendsWithoutReallocating) {
  std::string out;
  out.reserve(512);
  const char* data = out.data();
  AppendStraceLine(__NR_close, Args{3}, 0, mem_.Reader(), &out);
  out.push_back('\n');
  AppendStraceLine(__NR_close, Args{4}, -EBADF, mem_.Reader(), &out);
  EXPECT_EQ(out, "close(3) = 0\nclose(4) = -1 EBADF (Bad file descriptor)");
  EXPECT_EQ(out.data(), data);
}

TEST_F(StraceFormatTest, NullReaderIsSafe) {
  EXPECT_EQ(FormatStraceLine(__NR_chdir, Args{0x1000}, 0, nullptr), "chdir(0x1000) = 0");
}

TEST(ErrnoNameTest, Names) {
  EXPECT_STREQ(ErrnoName(ENOENT), "ENOENT");
  EXPECT_STREQ(ErrnoName(EPERM), "EPERM");
  EXPECT_STREQ(ErrnoName(EAGAIN), "EAGAIN");
  EXPECT_STREQ(ErrnoName(EOPNOTSUPP), "EOPNOTSUPP");
  EXPECT_STREQ(ErrnoName(EHWPOISON), "EHWPOISON");
  EXPECT_STREQ(ErrnoName(512), "ERESTARTSYS");
  EXPECT_STREQ(ErrnoName(0), "EUNKNOWN");
  EXPECT_STREQ(ErrnoName(-1), "EUNKNOWN");
  EXPECT_STREQ(ErrnoName(9999), "EUNKNOWN");
  for (int e = 1; e <= EHWPOISON; ++e) {
    if (e == 41 || e == 58) continue;  // unassigned on Linux
    EXPECT_STRNE(ErrnoName(e), "EUNKNOWN") << e;
  }
}

}  // namespace
}  // namespace sentry
