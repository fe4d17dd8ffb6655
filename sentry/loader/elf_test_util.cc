// Test support: in-memory ELF builders and readers (see elf_test_util.h).
// Used by tests and the fuzz target only; single-threaded.
#include "sentry/loader/elf_test_util.h"

#include <unistd.h>

#include <cerrno>

#include "common/log.h"

namespace sentry::loader::testing {

std::vector<uint8_t> BuildElf(uint16_t type, uint64_t entry, const std::vector<Elf64_Phdr>& phdrs,
                              size_t file_size, uint64_t phoff) {
  std::vector<uint8_t> file(file_size);
  for (size_t i = 0; i < file.size(); ++i) file[i] = static_cast<uint8_t>(i * 7 + 3 + (i >> 12));
  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_ident[EI_OSABI] = ELFOSABI_SYSV;
  eh.e_type = type;
  eh.e_machine = EM_X86_64;
  eh.e_version = EV_CURRENT;
  eh.e_entry = entry;
  eh.e_phoff = phoff;
  eh.e_ehsize = sizeof(Elf64_Ehdr);
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = static_cast<uint16_t>(phdrs.size());
  CHECK(file.size() >= sizeof(eh));
  SetEhdr(file, eh);
  for (size_t i = 0; i < phdrs.size(); ++i) SetPhdr(file, static_cast<int>(i), phdrs[i]);
  return file;
}

Elf64_Phdr Phdr(uint32_t type, uint32_t flags, uint64_t offset, uint64_t vaddr, uint64_t filesz,
                uint64_t memsz, uint64_t align) {
  Elf64_Phdr ph{};
  ph.p_type = type;
  ph.p_flags = flags;
  ph.p_offset = offset;
  ph.p_vaddr = vaddr;
  ph.p_paddr = vaddr;
  ph.p_filesz = filesz;
  ph.p_memsz = memsz;
  ph.p_align = align;
  return ph;
}

void PutBytes(std::vector<uint8_t>& file, uint64_t off, std::string_view bytes) {
  CHECK(off + bytes.size() <= file.size());
  std::memcpy(file.data() + off, bytes.data(), bytes.size());
}

ReadAtFn VectorReader(const std::vector<uint8_t>& file) {
  return [&file](void* buf, size_t len, uint64_t off) -> int64_t {
    if (off >= file.size()) return 0;
    size_t n = std::min<uint64_t>(len, file.size() - off);
    std::memcpy(buf, file.data() + off, n);
    return static_cast<int64_t>(n);
  };
}

ReadAtFn FdReader(int fd) {
  return [fd](void* buf, size_t len, uint64_t off) -> int64_t {
    ssize_t n = ::pread(fd, buf, len, static_cast<off_t>(off));
    return n < 0 ? -errno : n;
  };
}

std::vector<uint8_t> MakeStaticExec() {
  std::vector<Elf64_Phdr> ph = {
      Phdr(PT_LOAD, PF_R, 0, 0x400000, 0x1c0, 0x1c0),
      Phdr(PT_LOAD, PF_R | PF_X, 0x1000, 0x401000, 0x850, 0x850),
      Phdr(PT_LOAD, PF_R | PF_W, 0x2010, 0x403010, 0x120, 0x2400),
      Phdr(PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16),
  };
  return BuildElf(ET_EXEC, 0x401000, ph, 0x2130);
}

std::vector<uint8_t> MakePie() {
  std::vector<Elf64_Phdr> ph = {
      Phdr(PT_PHDR, PF_R, 64, 64, 6 * sizeof(Elf64_Phdr), 6 * sizeof(Elf64_Phdr), 8),
      Phdr(PT_INTERP, PF_R, 0x200, 0x200, sizeof(kPieInterp), sizeof(kPieInterp), 1),
      Phdr(PT_LOAD, PF_R, 0, 0, 0x300, 0x300),
      Phdr(PT_LOAD, PF_R | PF_X, 0x1000, 0x1000, 0x500, 0x500),
      Phdr(PT_LOAD, PF_R | PF_W, 0x1d00, 0x2d00, 0x100, 0x200),
      Phdr(PT_GNU_STACK, PF_R | PF_W | PF_X, 0, 0, 0, 0, 16),
  };
  std::vector<uint8_t> file = BuildElf(ET_DYN, 0x1000, ph, 0x1e00);
  PutBytes(file, 0x200, std::string_view(kPieInterp, sizeof(kPieInterp)));
  return file;
}

Elf64_Ehdr GetEhdr(const std::vector<uint8_t>& file) {
  Elf64_Ehdr eh;
  CHECK(file.size() >= sizeof(eh));
  std::memcpy(&eh, file.data(), sizeof(eh));
  return eh;
}

void SetEhdr(std::vector<uint8_t>& file, const Elf64_Ehdr& eh) {
  CHECK(file.size() >= sizeof(eh));
  std::memcpy(file.data(), &eh, sizeof(eh));
}

Elf64_Phdr GetPhdr(const std::vector<uint8_t>& file, int index) {
  const uint64_t off = GetEhdr(file).e_phoff + uint64_t(index) * sizeof(Elf64_Phdr);
  Elf64_Phdr ph;
  CHECK(off + sizeof(ph) <= file.size());
  std::memcpy(&ph, file.data() + off, sizeof(ph));
  return ph;
}

void SetPhdr(std::vector<uint8_t>& file, int index, const Elf64_Phdr& ph) {
  const uint64_t off = GetEhdr(file).e_phoff + uint64_t(index) * sizeof(Elf64_Phdr);
  CHECK(off + sizeof(ph) <= file.size());
  std::memcpy(file.data() + off, &ph, sizeof(ph));
}

}  // namespace sentry::loader::testing
