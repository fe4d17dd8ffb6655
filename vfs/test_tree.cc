// Test-only in-memory tree and scratch host directories (see vfs/test_tree.h).
// Used by the vfs tests on their main thread.
#include "vfs/test_tree.h"

#include <fcntl.h>
#include <ftw.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "gtest/gtest.h"

namespace sentry::vfs::testing {

std::shared_ptr<SyntheticFs> MakeTestTree() {
  auto fs = std::make_shared<SyntheticFs>(
      "testfs", Filesystem::Traits{.read_only = true, .cache_dentries = true}, TMPFS_MAGIC);
  auto text = [&](std::string s, uint32_t perm = 0644) {
    return std::make_shared<TextFile>(fs, perm, [s](const FsContext&) { return s; });
  };
  auto link = [&](std::string target) { return std::make_shared<SymlinkInode>(fs, target); };
  auto root = std::make_shared<StaticDir>(fs, 0755);
  root->Add("file", text("hello\n"));
  auto dir = std::make_shared<StaticDir>(fs, 0755);
  auto sub = std::make_shared<StaticDir>(fs, 0755);
  sub->Add("leaf", text("leaf\n"));
  dir->Add("sub", sub);
  dir->Add("up", link(".."));
  root->Add("dir", dir);
  auto priv = std::make_shared<StaticDir>(fs, 0700);
  priv->Add("secret", text("s\n", 0600));
  root->Add("private", priv);
  root->Add("link_file", link("file"));
  root->Add("link_dir", link("dir"));
  root->Add("link_abs", link("/dir/sub"));
  root->Add("chain1", link("chain2"));
  root->Add("chain2", link("chain3"));
  root->Add("chain3", link("file"));
  root->Add("loop1", link("loop2"));
  root->Add("loop2", link("loop1"));
  root->Add("self_loop", link("self_loop"));
  root->Add("dangling", link("nowhere"));
  root->Add("slash_link", link("/"));
  root->Add("file_slash", link("file/"));
  for (int i = 0; i < 41; ++i)
    root->Add("deep" + std::to_string(i), link("deep" + std::to_string(i + 1)));
  root->Add("deep41", link("file"));
  root->Add("noexec", text("x", 0644));
  root->Add("exec", text("x", 0755));
  fs->set_root(root);
  return fs;
}

Credentials User(uint32_t uid, uint32_t gid) {
  Credentials c;
  c.uid = c.euid = c.fsuid = uid;
  c.gid = c.egid = c.fsgid = gid;
  return c;
}

std::unique_ptr<Vfs> MakeTestVfs(std::shared_ptr<ProcessInfo> processes) {
  Vfs::Options opts;
  opts.root_fs = MakeTestTree();
  opts.processes = std::move(processes);
  ErrnoOr<std::unique_ptr<Vfs>> v = Vfs::Create(opts);
  EXPECT_TRUE(v.ok()) << v.error();
  return v.ok() ? v.take() : nullptr;
}

ScratchDir::ScratchDir() {
  for (const char* base : {"/dev/shm", "/tmp"}) {
    std::string tmpl = std::string(base) + "/vfs_test.XXXXXX";
    if (::mkdtemp(tmpl.data()) != nullptr) {
      path_ = tmpl;
      break;
    }
  }
  if (path_.empty()) ADD_FAILURE() << "mkdtemp failed";
  ::chmod(path_.c_str(), 0755);
}

ScratchDir::~ScratchDir() {
  if (path_.empty()) return;
  ::nftw(
      path_.c_str(),
      [](const char* p, const struct stat*, int type, struct FTW*) {
        if (type == FTW_DP) {
          ::chmod(p, 0700);
          return ::rmdir(p);
        }
        return ::unlink(p);
      },
      64, FTW_DEPTH | FTW_PHYS);
}

void ScratchDir::MakeDir(std::string_view rel, uint32_t mode) const {
  ASSERT_EQ(::mkdir(Path(rel).c_str(), mode), 0) << rel;
  ASSERT_EQ(::chmod(Path(rel).c_str(), mode), 0) << rel;
}

void ScratchDir::MakeFile(std::string_view rel, std::string_view content) const {
  int fd = ::open(Path(rel).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0) << rel;
  ASSERT_EQ(::write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
  ::close(fd);
}

void ScratchDir::MakeSymlink(std::string_view rel, std::string_view target) const {
  ASSERT_EQ(::symlink(std::string(target).c_str(), Path(rel).c_str()), 0) << rel;
}

std::string ReadAll(FileDescription& f) {
  std::string out;
  char buf[4096];
  while (true) {
    SysResult r = f.PRead(std::span<char>(buf, sizeof(buf)), static_cast<int64_t>(out.size()));
    EXPECT_TRUE(r.ok()) << r.error();
    if (!r.ok() || r.value() == 0) break;
    out.append(buf, static_cast<size_t>(r.value()));
  }
  return out;
}

}  // namespace sentry::vfs::testing
