// Test support: builds small ELF64 files in memory and reads them through a ReadAtFn.
// Used by loader_test and the ELF fuzz target only; single-threaded.
#pragma once

#include <elf.h>

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "sentry/loader/elf_file.h"

namespace sentry::loader::testing {

// A file of file_size bytes with a recognisable byte pattern, the ELF header at 0 and the
// program headers at phoff.
std::vector<uint8_t> BuildElf(uint16_t type, uint64_t entry, const std::vector<Elf64_Phdr>& phdrs,
                              size_t file_size, uint64_t phoff = sizeof(Elf64_Ehdr));

Elf64_Phdr Phdr(uint32_t type, uint32_t flags, uint64_t offset, uint64_t vaddr, uint64_t filesz,
                uint64_t memsz, uint64_t align = 0x1000);

// Writes raw bytes (no NUL added) at off; the file must be large enough.
void PutBytes(std::vector<uint8_t>& file, uint64_t off, std::string_view bytes);

// Reads from `file`, which must outlive the returned function.
ReadAtFn VectorReader(const std::vector<uint8_t>& file);
// Reads a host file with pread; `fd` must outlive the returned function.
ReadAtFn FdReader(int fd);

// Static ET_EXEC at 0x400000: R (headers), RX, RW with .bss starting mid-page and running
// past the page; PT_GNU_STACK RW; no PT_PHDR (derived from the first PT_LOAD).
std::vector<uint8_t> MakeStaticExec();
// PIE (ET_DYN at 0): PT_PHDR, PT_INTERP "/lib64/ld-linux-x86-64.so.2", R, RX, RW whose .bss
// ends inside its last file page, PT_GNU_STACK RWX.
std::vector<uint8_t> MakePie();

inline constexpr char kPieInterp[] = "/lib64/ld-linux-x86-64.so.2";

// Field access without aliasing tricks.
Elf64_Ehdr GetEhdr(const std::vector<uint8_t>& file);
void SetEhdr(std::vector<uint8_t>& file, const Elf64_Ehdr& eh);
Elf64_Phdr GetPhdr(const std::vector<uint8_t>& file, int index);
void SetPhdr(std::vector<uint8_t>& file, int index, const Elf64_Phdr& ph);

template <typename F>
void EditEhdr(std::vector<uint8_t>& file, F f) {
  Elf64_Ehdr eh = GetEhdr(file);
  f(eh);
  SetEhdr(file, eh);
}
template <typename F>
void EditPhdr(std::vector<uint8_t>& file, int index, F f) {
  Elf64_Phdr ph = GetPhdr(file, index);
  f(ph);
  SetPhdr(file, index, ph);
}

}  // namespace sentry::loader::testing
