#!/usr/bin/env bash
# e2e: hostile programs handed to `sentry run` (broken ELFs, bad "#!", a directory...) fail like
# a shell's exec: 126/127 with "PROGRAM: strerror" on stderr, never a crash or a hang.
# Owned by the tests team. Usage: bad_exec_test.sh SENTRY_BINARY [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

# The oracle is the host kernel: each program is first handed to a native execv(2), and the
# sentry must answer the same way. What Linux (6.18, as root) does natively, per case:
#   control   copy of /bin/true                         runs, exit 0
#   trunc     first 100 bytes of /bin/true, +x          ENOEXEC "Exec format error" (phdrs past EOF)
#   phoff     /bin/true with e_phoff = 0x7fffffff00000000  ENOEXEC
#   arm       /bin/true with e_machine = 183 (AArch64)  ENOEXEC
#   text      "echo ...", no "#!", +x                   ENOEXEC (a shell would then run it with sh;
#                                                       `sentry run` is an execve, not a shell)
#   nointerp  "#!/nonexistent/interp"                   ENOENT "No such file or directory"
#   chain4    4 nested "#!" scripts, then /bin/true     runs, exit 0
#   chain5    5 nested "#!" scripts, then /bin/true     runs, exit 0 (checked on Linux 6.18: the
#                                                       kernel allows 5 "#!" rewrites, not 4)
#   chain6    6 nested "#!" scripts, then /bin/true     ELOOP "Too many levels of symbolic links"
#   empty     empty file, +x                            ENOEXEC
#   dir       a directory                               EACCES "Permission denied"
#   nox       copy of /bin/true, mode 0644              EACCES (root too: no x bit at all)
#   missing   no such file                              ENOENT
# Shell convention for the exit status: 127 for ENOENT/ENOTDIR ("not found"), 126 for any other
# exec error ("cannot execute"). chain5 is compared with the native run only (the depth limit
# is the host kernel's); every other native result is also checked against the table above, so
# a broken fixture fails loudly instead of testing nothing.

progs="$E2E_TMP/progs"
mkdir -p -- "$progs"

cp /bin/true "$progs/control"

head -c 100 /bin/true >"$progs/trunc"
chmod +x "$progs/trunc"

# ELF64 header: e_machine is the u16 at 0x12, e_phoff the u64 at 0x20 (little-endian).
patch_elf() {
  python3 - "$@" <<'EOF'
import struct, sys
path, off, fmt, value = sys.argv[1], int(sys.argv[2], 0), sys.argv[3], int(sys.argv[4], 0)
with open(path, 'r+b') as f:
    f.seek(off)
    f.write(struct.pack(fmt, value))
EOF
}
cp /bin/true "$progs/phoff"
patch_elf "$progs/phoff" 0x20 '<Q' 0x7fffffff00000000
cp /bin/true "$progs/arm"
patch_elf "$progs/arm" 0x12 '<H' 183

printf 'echo this text file ran\n' >"$progs/text"
chmod +x "$progs/text"

printf '#!/nonexistent/interp\necho ran\n' >"$progs/nointerp"
chmod +x "$progs/nointerp"

# chainN: N nested "#!" levels; chain1 -> /bin/true, chainN -> chain(N-1).
prev=/bin/true
for n in 1 2 3 4 5 6; do
  printf '#!%s\n' "$prev" >"$progs/chain$n"
  chmod +x "$progs/chain$n"
  prev="$progs/chain$n"
done

: >"$progs/empty"
chmod +x "$progs/empty"

mkdir -- "$progs/dir"

cp /bin/true "$progs/nox"
chmod 0644 "$progs/nox"

# native_exec FILE: sets NATIVE to "OK STATUS" if execv(FILE) ran, else "ENAME|strerror".
native_exec() {
  run_native "exec.$(basename "$1")" python3 -c '
import errno, os, sys
f = sys.argv[1]
try:
    os.execv(f, [f])
except OSError as e:
    print(f"{errno.errorcode[e.errno]}|{os.strerror(e.errno)}")
    sys.exit(100)
' "$1"
  if ((RC == 100)); then
    NATIVE=$(head -n 1 -- "$OUT")
  else
    NATIVE="OK $RC"
  fi
}

# bad_exec NAME DOCUMENTED: DOCUMENTED is the native outcome recorded above ("OK": ran with
# exit 0, or an errno name), or "-" to take the native run as it is.
bad_exec() {
  local name=$1 documented=$2 file="$progs/$1"
  native_exec "$file"
  local native=${NATIVE%%|*}
  [[ "$NATIVE" != "OK 0" ]] || native=OK
  if [[ "$documented" != "-" && "$native" != "$documented" ]]; then
    fail "$name: native execv gives '$NATIVE', the test expects $documented" \
      "(broken fixture, or is $E2E_TMP on a noexec mount?)"
  fi

  run_sentry "$name" run -- "$file"
  if ((RC >= 128)); then
    show_stderr
    fail "$name: sentry exit status $RC: a crash, want a clean error (native: $NATIVE)"
  fi
  if grep -Eq -- 'terminate called|Check failed|Segmentation fault|Aborted|Sanitizer' "$ERR"; then
    show_stderr
    fail "$name: the sentry's stderr shows an internal failure"
  fi

  if [[ "$NATIVE" == OK* ]]; then
    check "$name: runs as natively (exit ${NATIVE#OK })"
    [[ "$RC" == "${NATIVE#OK }" ]] ||
      { show_stderr; fail "$name: sentry exit status $RC, want ${NATIVE#OK } (it runs natively)"; }
    return
  fi
  local ename=${NATIVE%%|*} text=${NATIVE#*|} want=126
  [[ "$ename" == ENOENT || "$ename" == ENOTDIR ]] && want=127
  check "$name: exit $want, stderr names the file and says '$text' ($ename, as natively)"
  [[ "$RC" == "$want" ]] ||
    { show_stderr; fail "$name: sentry exit status $RC, want $want (native execv: $ename)"; }
  expect_empty_stdout
  grep -Fq -- "$file" "$ERR" || { show_stderr; fail "$name: stderr does not name $file"; }
  grep -Fq -- "$text" "$ERR" ||
    { show_stderr; fail "$name: stderr does not say '$text' ($ename, as native execv)"; }
}

# Every case runs (in a subshell, so that one failure does not hide the others); the test
# fails at the end if any did.
failed=()
while read -r name documented; do
  (bad_exec "$name" "$documented") || failed+=("$name")
done <<'CASES'
control OK
trunc ENOEXEC
phoff ENOEXEC
arm ENOEXEC
text ENOEXEC
nointerp ENOENT
chain4 OK
chain5 -
chain6 ELOOP
empty ENOEXEC
dir EACCES
nox EACCES
missing ENOENT
CASES

check "nothing left broken: sentry run -- /bin/echo ok"
run_sentry after run -- /bin/echo ok
expect_status 0
expect_output $'ok\n'

((${#failed[@]} == 0)) || fail "failed cases: ${failed[*]} (see the FAIL lines above)"
pass
