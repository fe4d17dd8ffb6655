// ParseElf: validation of hostile ELF64 headers (see elf_file.h).
// Owned by the sentry's execve path; any thread, no shared state.
#include "sentry/loader/elf_file.h"

#include <elf.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstring>

namespace sentry::loader {
namespace {

// Reads exactly len bytes at off. A short read means the file is shorter than its headers
// claim (ENOEXEC); a failed read returns its errno.
int ReadExact(const ReadAtFn& read, void* buf, size_t len, uint64_t off) {
  size_t got = 0;
  while (got < len) {
    int64_t n = read(static_cast<char*>(buf) + got, len - got, off + got);
    if (n < 0) return (n >= -4095) ? static_cast<int>(-n) : EIO;
    if (n == 0) return ENOEXEC;
    if (static_cast<uint64_t>(n) > len - got) return EIO;  // a broken reader
    got += static_cast<size_t>(n);
  }
  return 0;
}

// off + len <= file_size, without overflow.
bool InFile(uint64_t off, uint64_t len, uint64_t file_size) {
  return off <= file_size && len <= file_size - off;
}

int ProtFromFlags(uint32_t flags) {
  int prot = 0;
  if (flags & PF_R) prot |= PROT_READ;
  if (flags & PF_W) prot |= PROT_WRITE;
  if (flags & PF_X) prot |= PROT_EXEC;
  return prot;
}

int CheckHeader(const Elf64_Ehdr& eh, uint64_t file_size) {
  if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) return ENOEXEC;
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
      eh.e_ident[EI_VERSION] != EV_CURRENT || eh.e_version != EV_CURRENT) {
    return ENOEXEC;
  }
  if (eh.e_machine != EM_X86_64) return ENOEXEC;
  if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) return ENOEXEC;
  if (eh.e_phentsize != sizeof(Elf64_Phdr)) return ENOEXEC;
  if (eh.e_phnum == 0 || eh.e_phnum > kMaxPhnum) return ENOEXEC;
  if (!InFile(eh.e_phoff, uint64_t{eh.e_phnum} * sizeof(Elf64_Phdr), file_size)) return ENOEXEC;
  return 0;
}

// Validates one PT_LOAD and appends it (unless it is empty) to elf->loads.
int AddLoad(const Elf64_Phdr& ph, uint64_t file_size, ElfFile* elf) {
  if (ph.p_filesz > ph.p_memsz) return ENOEXEC;
  // A bss-only segment's offset is never used, so it may point anywhere.
  if (ph.p_filesz > 0 && !InFile(ph.p_offset, ph.p_filesz, file_size)) return ENOEXEC;
  if (ph.p_vaddr % kPageSize != ph.p_offset % kPageSize) return ENOEXEC;
  if (ph.p_vaddr > kUserSpaceEnd || ph.p_memsz > kUserSpaceEnd - ph.p_vaddr) return ENOMEM;
  if (ph.p_memsz == 0) return 0;  // occupies nothing; Linux maps nothing for it either
  if (!elf->loads.empty()) {
    const LoadSegment& prev = elf->loads.back();
    if (ph.p_vaddr < prev.vaddr + prev.memsz) return ENOEXEC;  // overlapping or unsorted
  }
  elf->loads.push_back(LoadSegment{.vaddr = ph.p_vaddr,
                                   .memsz = ph.p_memsz,
                                   .offset = ph.p_offset,
                                   .filesz = ph.p_filesz,
                                   .prot = ProtFromFlags(ph.p_flags)});
  return 0;
}

int ReadInterp(const ReadAtFn& read, const Elf64_Phdr& ph, uint64_t file_size, ElfFile* elf) {
  if (ph.p_filesz < 2 || ph.p_filesz > kMaxInterpLen) return ENOEXEC;
  if (!InFile(ph.p_offset, ph.p_filesz, file_size)) return ENOEXEC;
  std::string buf(ph.p_filesz, '\0');
  if (int err = ReadExact(read, buf.data(), buf.size(), ph.p_offset)) return err;
  if (buf.back() != '\0') return ENOEXEC;
  buf.resize(std::strlen(buf.c_str()));  // the kernel uses it as a C string
  if (buf.empty()) return ENOEXEC;
  elf->interp = std::move(buf);
  return 0;
}

}  // namespace

ErrnoOr<ElfFile> ParseElf(const ReadAtFn& read, uint64_t file_size) {
  Elf64_Ehdr eh;
  if (file_size < sizeof(eh)) return ErrnoOr<ElfFile>::Errno(ENOEXEC);
  if (int err = ReadExact(read, &eh, sizeof(eh), 0)) return ErrnoOr<ElfFile>::Errno(err);
  if (int err = CheckHeader(eh, file_size)) return ErrnoOr<ElfFile>::Errno(err);

  std::vector<Elf64_Phdr> phdrs(eh.e_phnum);  // bounded by kMaxPhnum
  if (int err = ReadExact(read, phdrs.data(), phdrs.size() * sizeof(Elf64_Phdr), eh.e_phoff)) {
    return ErrnoOr<ElfFile>::Errno(err);
  }

  ElfFile elf;
  elf.is_dyn = eh.e_type == ET_DYN;
  elf.entry = eh.e_entry;
  elf.phnum = eh.e_phnum;
  elf.phentsize = eh.e_phentsize;
  bool have_interp = false;
  bool have_phdr = false;
  for (const Elf64_Phdr& ph : phdrs) {
    int err = 0;
    switch (ph.p_type) {
      case PT_LOAD:
        err = AddLoad(ph, file_size, &elf);
        break;
      case PT_INTERP:
        if (have_interp) return ErrnoOr<ElfFile>::Errno(ENOEXEC);
        have_interp = true;
        err = ReadInterp(read, ph, file_size, &elf);
        break;
      case PT_GNU_STACK:
        elf.exec_stack = (ph.p_flags & PF_X) != 0;
        break;
      case PT_PHDR:
        if (!have_phdr) elf.phdr_vaddr = ph.p_vaddr;
        have_phdr = true;
        break;
      default:
        break;
    }
    if (err != 0) return ErrnoOr<ElfFile>::Errno(err);
  }
  if (elf.loads.empty()) return ErrnoOr<ElfFile>::Errno(ENOEXEC);

  // The checks above keep every end <= kUserSpaceEnd, so PageUp cannot overflow.
  const LoadSegment& last = elf.loads.back();
  elf.min_vaddr = PageDown(elf.loads.front().vaddr);
  elf.max_vaddr = PageUp(last.vaddr + last.memsz);
  if (elf.span() > kMaxLoadSpan) return ErrnoOr<ElfFile>::Errno(ENOMEM);

  if (!have_phdr) {
    // The program headers are in memory if a PT_LOAD's file part covers them.
    const uint64_t table = uint64_t{eh.e_phnum} * sizeof(Elf64_Phdr);
    for (const LoadSegment& seg : elf.loads) {
      if (eh.e_phoff >= seg.offset && table <= seg.filesz &&
          eh.e_phoff - seg.offset <= seg.filesz - table) {
        elf.phdr_vaddr = seg.vaddr + (eh.e_phoff - seg.offset);
        break;
      }
    }
  }
  return elf;
}

}  // namespace sentry::loader
