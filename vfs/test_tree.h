// Test-only helper: a small read-only in-memory tree (synthetic inodes) to mount as the root
// of a Vfs, and credential shorthands. Used by the vfs tests on their main thread.
#pragma once

#include <memory>
#include <string>

#include "vfs/synthetic.h"
#include "vfs/vfs.h"

namespace sentry::vfs::testing {

// Root of a read-only "testfs":
//   file ("hello\n", 0644)          dir/ (0755)  dir/sub/ (0755)  dir/sub/leaf ("leaf\n")
//   dir/up -> ..                    private/ (0700)  private/secret ("s\n", 0600)
//   link_file -> file               link_dir -> dir   link_abs -> /dir/sub
//   chain1 -> chain2 -> chain3 -> file    loop1 <-> loop2   self_loop -> self_loop
//   dangling -> nowhere             slash_link -> /   file_slash -> file/
//   deep0 -> deep1 -> ... -> deep41 -> file  (following deepK takes 42-K links)
//   noexec ("x", 0644)              exec ("x", 0755)
std::shared_ptr<SyntheticFs> MakeTestTree();

Credentials User(uint32_t uid, uint32_t gid);

// A Vfs over MakeTestTree() (devfs and procfs on placeholders), with `processes`.
std::unique_ptr<Vfs> MakeTestVfs(std::shared_ptr<ProcessInfo> processes = nullptr);

// A scratch host directory (mkdtemp under /dev/shm when writable, else /tmp), removed
// recursively (without following links) on destruction.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Path(std::string_view rel) const { return path_ + "/" + std::string(rel); }
  void MakeDir(std::string_view rel, uint32_t mode = 0755) const;
  void MakeFile(std::string_view rel, std::string_view content) const;
  void MakeSymlink(std::string_view rel, std::string_view target) const;

 private:
  std::string path_;
};

// Reads a whole description from offset 0 with PRead.
std::string ReadAll(FileDescription& f);

}  // namespace sentry::vfs::testing
