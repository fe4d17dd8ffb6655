// Emulated execve: program resolution ("#!" and ELF) and the stub-run load plan.
// Sentry thread only.
#include "sentry/exec_loader.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <cerrno>
#include <cstring>

#include "common/log.h"
#include "platform/guest_memory.h"
#include "platform/stub_image.h"
#include "sentry/kernel.h"
#include "sentry/loader/initial_stack.h"
#include "sentry/loader/load_plan.h"
#include "sentry/loader/shebang.h"

namespace sentry {
namespace {

using Dentry = vfs::Dentry;

constexpr int kMainFd = 0;    // host fd numbers the load plan uses (the host table is empty
constexpr int kInterpFd = 1;  // right after exec; both are closed before the program runs)
constexpr uint64_t kPieBase = 0x555555554000ULL;
constexpr uint64_t kInterpBase = 0x7f0000000000ULL;
constexpr size_t kMaxStackImage = 120 * 1024;  // the stub's stack VMA has >= 128 KiB below sp

uint64_t RandomPages(uint64_t random, uint64_t max_pages) { return (random % max_pages) * 4096; }

struct OpenedFile {
  vfs::FileRef file;
  std::string abs_path;
};

ErrnoOr<OpenedFile> OpenExecutable(Kernel& k, Process& p, const std::string& path) {
  if (path.empty()) return ErrnoOr<OpenedFile>::Errno(ENOENT);
  vfs::FsContext ctx = p.fs;
  ctx.caller_pid = p.pid;
  auto f = k.vfs().OpenAt(ctx, p.creds, p.fs.cwd, path, O_RDONLY | O_CLOEXEC, 0);
  if (!f.ok()) return ErrnoOr<OpenedFile>::Errno(f.error());
  struct stat st;
  SysResult r = (*f)->Stat(&st);
  if (!r.ok()) return ErrnoOr<OpenedFile>::Errno(r.error());
  if (!S_ISREG(st.st_mode)) return ErrnoOr<OpenedFile>::Errno(EACCES);
  SysResult acc = k.vfs().AccessAt(ctx, p.creds, p.fs.cwd, path, X_OK, true);
  if (!acc.ok()) return ErrnoOr<OpenedFile>::Errno(acc.error());
  OpenedFile out;
  out.file = *f;
  out.abs_path = (*f)->Path();
  return out;
}

loader::ReadAtFn ReaderFor(const vfs::FileRef& f) {
  return [f](void* buf, size_t len, uint64_t off) -> int64_t {
    SysResult r = f->PRead(std::span<char>(static_cast<char*>(buf), len),
                           static_cast<int64_t>(off));
    return r.raw();
  };
}

uint64_t FileSize(const vfs::FileRef& f) {
  struct stat st;
  if (!f->Stat(&st).ok()) return 0;
  return static_cast<uint64_t>(st.st_size);
}

// Appends stub ops for one ELF mapped from host fd number `fd` at `bias`.
void AppendMapOps(const loader::ElfFile& elf, uint64_t bias, int fd,
                  std::vector<std::array<uint64_t, 8>>* ops) {
  std::vector<loader::MapOp> plan = loader::PlanLoad(elf, bias);
  uint64_t reserve_result = elf.is_dyn ? bias + elf.min_vaddr : 0;
  if (!elf.is_dyn) {
    // Claim the whole span first so that a program linked over the stub (or anything else
    // already mapped) fails cleanly instead of replacing it.
    ops->push_back({SYS_mmap, elf.min_vaddr, elf.span(), PROT_NONE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, static_cast<uint64_t>(-1),
                    0, 0});
  }
  for (const loader::MapOp& op : plan) {
    uint64_t addr = loader::OpAddress(op, reserve_result);
    switch (op.kind) {
      case loader::MapOp::Kind::kReserve:
        ops->push_back({SYS_mmap, reserve_result, op.len, PROT_NONE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
                        static_cast<uint64_t>(-1), 0, 0});
        break;
      case loader::MapOp::Kind::kMapFile:
        ops->push_back({SYS_mmap, addr, op.len, static_cast<uint64_t>(op.prot),
                        MAP_PRIVATE | MAP_FIXED, static_cast<uint64_t>(fd), op.file_offset, 0});
        break;
      case loader::MapOp::Kind::kMapAnon:
        ops->push_back({SYS_mmap, addr, op.len, static_cast<uint64_t>(op.prot),
                        MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, static_cast<uint64_t>(-1), 0, 0});
        break;
      case loader::MapOp::Kind::kZeroTail:
        ops->push_back({STUB_OP_ZERO, addr, op.len, 0, 0, 0, 0, 0});
        break;
      case loader::MapOp::Kind::kProtect:
        ops->push_back({SYS_mprotect, addr, op.len, static_cast<uint64_t>(op.prot), 0, 0, 0, 0});
        break;
    }
  }
}

struct KernelAuxv {
  uint64_t sysinfo_ehdr = 0, hwcap = 0, hwcap2 = 0, clktck = 100, minsigstksz = 0;
};

// Reads the auxv the host kernel gave the stub (for the vDSO address and hardware caps).
SysResult ReadKernelAuxv(pid_t tid, uint64_t sp, KernelAuxv* out) {
  uint64_t words[256];
  size_t got = platform::ReadGuestPartial(tid, sp, words, sizeof(words)) / 8;
  if (got < 4) return SysResult::Errno(EFAULT);
  size_t i = 1 + words[0] + 1;  // argc, argv..., NULL
  while (i < got && words[i] != 0) ++i;  // envp
  ++i;
  for (; i + 1 < got && words[i] != AT_NULL; i += 2) {
    uint64_t key = words[i], val = words[i + 1];
    switch (key) {
      case AT_SYSINFO_EHDR: out->sysinfo_ehdr = val; break;
      case AT_HWCAP: out->hwcap = val; break;
      case AT_HWCAP2: out->hwcap2 = val; break;
      case AT_CLKTCK: out->clktck = val; break;
#ifdef AT_MINSIGSTKSZ
      case AT_MINSIGSTKSZ: out->minsigstksz = val; break;
#endif
      default: break;
    }
  }
  return 0;
}

}  // namespace

ErrnoOr<ResolvedExec> ResolveExecutable(Kernel& k, Process& p, const ExecRequest& req) {
  using R = ErrnoOr<ResolvedExec>;
  ResolvedExec out;
  out.path = req.path;
  out.argv = req.argv;
  out.envp = req.envp;
  std::string path = req.path;
  for (int depth = 0;; ++depth) {
    auto opened = OpenExecutable(k, p, path);
    if (!opened.ok()) return R::Errno(opened.error());
    char head[loader::kShebangBufSize];
    SysResult n = opened->file->PRead(std::span<char>(head, sizeof(head)), 0);
    if (!n.ok()) return R::Errno(n.error());
    std::string_view hv(head, static_cast<size_t>(n.value()));
    if (hv.size() >= 2 && hv[0] == '#' && hv[1] == '!') {
      if (depth >= loader::kMaxShebangDepth) return R::Errno(ELOOP);
      auto sb = loader::ParseShebang(hv);
      if (!sb.ok()) return R::Errno(sb.error());
      out.argv = loader::ShebangArgv(*sb, path, out.argv);
      path = sb->interpreter;
      continue;
    }
    auto elf = loader::ParseElf(ReaderFor(opened->file), FileSize(opened->file));
    if (!elf.ok()) return R::Errno(elf.error());
    out.main_file = opened->file;
    out.exe_path = opened->abs_path;
    out.main_elf = *elf;
    break;
  }
  if (!out.main_elf.interp.empty()) {
    auto interp = OpenExecutable(k, p, out.main_elf.interp);
    if (!interp.ok()) return R::Errno(interp.error() == EACCES ? EACCES : ENOENT);
    auto ielf = loader::ParseElf(ReaderFor(interp->file), FileSize(interp->file));
    if (!ielf.ok()) return R::Errno(ielf.error());
    if (!ielf->interp.empty()) return R::Errno(ELIBBAD);
    out.interp_file = interp->file;
    out.interp_elf = *ielf;
  }
  if (out.main_file->HostFd() < 0 || (out.interp_file && out.interp_file->HostFd() < 0))
    return R::Errno(EACCES);
  return out;
}

SysResult LoadIntoGuest(Kernel& k, Process& p, pid_t tid, const ResolvedExec& exe,
                        uint64_t kernel_sp) {
  KernelAuxv kaux;
  SysResult r = ReadKernelAuxv(tid, kernel_sp, &kaux);
  if (!r.ok()) return r;

  // One getrandom for both placements and AT_RANDOM's 16 bytes.
  uint64_t random[4];
  if (getrandom(random, sizeof(random), 0) != sizeof(random)) return SysResult::Errno(EIO);
  std::vector<std::array<uint64_t, 8>> ops;
  uint64_t main_bias = exe.main_elf.is_dyn ? kPieBase + RandomPages(random[0], 1 << 20) : 0;
  AppendMapOps(exe.main_elf, main_bias, kMainFd, &ops);
  uint64_t interp_bias = 0;
  uint64_t entry = loader::EntryAddress(exe.main_elf, main_bias);
  if (exe.interp_file) {
    interp_bias = kInterpBase + RandomPages(random[1], 1 << 24) - exe.interp_elf.min_vaddr;
    AppendMapOps(exe.interp_elf, interp_bias, kInterpFd, &ops);
    entry = loader::EntryAddress(exe.interp_elf, interp_bias);
  }
  ops.push_back({SYS_close, kMainFd, 0, 0, 0, 0, 0, 0});
  if (exe.interp_file) ops.push_back({SYS_close, kInterpFd, 0, 0, 0, 0, 0, 0});
  if (ops.size() > STUB_MAX_OPS) return SysResult::Errno(ENOEXEC);

  uint64_t phdr = loader::PhdrAddress(exe.main_elf, main_bias);
  loader::StackInputs in;
  in.argv = exe.argv;
  in.envp = exe.envp;
  in.execfn = exe.path;
  static_assert(sizeof(in.random) == 2 * sizeof(uint64_t));
  memcpy(in.random.data(), &random[2], sizeof(in.random));
  in.stack_rlimit = p.rlimits[RLIMIT_STACK].rlim_cur;
  auto& av = in.auxv;
  if (kaux.sysinfo_ehdr) av.push_back({AT_SYSINFO_EHDR, kaux.sysinfo_ehdr});
#ifdef AT_MINSIGSTKSZ
  if (kaux.minsigstksz) av.push_back({AT_MINSIGSTKSZ, kaux.minsigstksz});
#endif
  av.push_back({AT_HWCAP, kaux.hwcap});
  av.push_back({AT_PAGESZ, 4096});
  av.push_back({AT_CLKTCK, kaux.clktck});
  av.push_back({AT_PHDR, phdr});
  av.push_back({AT_PHENT, sizeof(Elf64_Phdr)});
  av.push_back({AT_PHNUM, exe.main_elf.phnum});
  av.push_back({AT_BASE, exe.interp_file ? interp_bias + exe.interp_elf.min_vaddr : 0});
  av.push_back({AT_FLAGS, 0});
  av.push_back({AT_ENTRY, loader::EntryAddress(exe.main_elf, main_bias)});
  av.push_back({AT_UID, p.creds.uid});
  av.push_back({AT_EUID, p.creds.euid});
  av.push_back({AT_GID, p.creds.gid});
  av.push_back({AT_EGID, p.creds.egid});
  av.push_back({AT_SECURE, 0});
  av.push_back({AT_HWCAP2, kaux.hwcap2});
  auto stack = loader::BuildStack(in, kernel_sp & ~0xFULL, kMaxStackImage);
  if (!stack.ok()) return SysResult::Errno(stack.error());

  // The plan: header then ops, written into the stub's scratch page.
  std::vector<uint64_t> plan(STUB_PLAN_HEADER_SIZE / 8 + ops.size() * 8, 0);
  plan[0] = STUB_PLAN_MAGIC;
  plan[1] = ops.size();
  plan[2] = entry;
  plan[3] = stack->sp;
  for (size_t i = 0; i < ops.size(); ++i) {
    for (int j = 0; j < 8; ++j) plan[STUB_PLAN_HEADER_SIZE / 8 + i * 8 + j] = ops[i][j];
  }
  r = platform::WriteGuest(tid, stack->sp, stack->bytes.data(), stack->bytes.size());
  if (!r.ok()) return r;
  r = platform::WriteGuest(tid, platform::kStubScratch, plan.data(), plan.size() * 8);
  if (!r.ok()) return r;

  p.loader_fds.clear();
  p.loader_fds_installed.clear();
  p.loader_fds[kMainFd] = exe.main_file->HostFd();
  p.loader_files.clear();
  p.loader_files.push_back(exe.main_file);
  if (exe.interp_file) {
    p.loader_fds[kInterpFd] = exe.interp_file->HostFd();
    p.loader_files.push_back(exe.interp_file);
  }
  p.loading = true;
  p.mirrors.clear();
  p.exe_path = exe.exe_path;
  p.argv = exe.argv;
  p.envp = exe.envp;
  // Linux names the task after the path as given (a symlink's own name: "sh", not "dash").
  const std::string& named = exe.path.empty() ? exe.exe_path : exe.path;
  size_t slash = named.rfind('/');
  p.comm = named.substr(slash == std::string::npos ? 0 : slash + 1, 15);
  return 0;
}

void ReleaseLoaderFiles(Process& p) { p.loader_files.clear(); }

}  // namespace sentry
