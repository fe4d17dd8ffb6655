// Host-side building blocks of gofer::Server: stat conversion and the ways the server opens
// nodes (one component beneath a directory fd, or a node's own O_PATH fd) without following
// links. Stateless; called on the server's thread.
#pragma once

#include <sys/stat.h>

#include <string>

#include "common/unique_fd.h"
#include "gofer/handle_table.h"
#include "gofer/protocol.h"

namespace sentry::gofer::host {

// The kernel's O_LARGEFILE on x86-64 (glibc defines O_LARGEFILE as 0 there); guests pass it.
inline constexpr int kKernelLargeFile = 0100000;

wire::Attr ToWire(const struct stat& st);

// Stat of the node an fd refers to (a symlink itself, never its target). 0 or an errno.
int StatFd(int fd, struct stat* st);

// Opens `name` (a checked single component) in the directory `dir`: openat2 with
// RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS, or openat with O_NOFOLLOW on
// kernels without openat2. A final symlink is opened only with O_PATH|O_NOFOLLOW (as the
// link itself); otherwise ELOOP. `flags` gets O_NOFOLLOW|O_CLOEXEC added. 0 or an errno.
int OpenBeneath(int dir, const std::string& name, int flags, mode_t mode, UniqueFd* out);

// Opens the node itself with `flags` (no O_CREAT), never by name: a directory through its
// O_PATH fd ("."), a regular file through ProcSelfFdDir()'s entry of its O_PATH fd (the exact
// inode, even if renamed, unlinked or its name was swapped for a symlink). Without /proc,
// by name in the parent, which must still be the same inode (else ESTALE). Other types:
// ENXIO. O_NONBLOCK is always set (a FIFO cannot block us); the caller clears it. 0 or errno.
int Reopen(const Node& node, int flags, UniqueFd* out);

// chmod of the node an O_PATH fd refers to (not a symlink): fchmodat2(AT_EMPTY_PATH), or
// fchmodat of its ProcSelfFdDir() entry on kernels without it. 0 or an errno.
int ChmodNode(int fd, mode_t mode);

// The permission bits the server lets reach the host for a node of `type`: set-user-ID and
// set-group-ID never on non-directories (a "nosuid" host side), set-group-ID and sticky kept
// on directories.
inline mode_t HostMode(mode_t type, uint32_t perm) {
  return S_ISDIR(type) ? (perm & 03777) : (perm & 01777);
}

// The gofer's /proc/self/fd as a directory fd, opened on first use: GoferMain opens it before
// it enters its empty root, where no absolute path reaches /proc. -1 without /proc.
int ProcSelfFdDir();

// The name of `fd` in ProcSelfFdDir() ("N"): openat(ProcSelfFdDir(), ProcFdName(fd)) is the
// node's own magic link.
std::string ProcFdName(int fd);

}  // namespace sentry::gofer::host
