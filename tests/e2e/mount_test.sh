#!/usr/bin/env bash
# e2e: --mount SRC:DST[:ro|rw] serves a host directory through the gofer. rw: changes made
# inside (create, append, rename, mkdir, rm, chmod, git) are on the host afterwards; ro (the
# default): writes fail with "Read-only file system" and the host directory is unchanged;
# symlinks in the mount are resolved inside the sandbox, never to the host path; FIFOs in a
# mount (made inside, or found there) and on the default root are pipes inside the sandbox.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

DIR=$(mktemp -d "$E2E_TMP/mount.XXXXXX")
OUTSIDE=$(mktemp -d "$E2E_TMP/outside.XXXXXX")
printf 'first\n' >"$DIR/file"
mkdir "$DIR/old"
printf 'bye\n' >"$DIR/old/gone"
printf 'outside\n' >"$OUTSIDE/secret"
ln -s /etc/hostname "$DIR/esc"
ln -s "$OUTSIDE/secret" "$DIR/esc2"

check "rw: create, append, rename, mkdir, rm, chmod inside are on the host"
run_sentry "rw" run --mount "$DIR:/data:rw" -- /bin/sh -c '
  cd /data && echo new > created && echo second >> file && mv created renamed &&
  mkdir -p made/deeper && echo leaf > made/deeper/leaf && rm -r old && chmod 600 file &&
  ls && cat file'
expect_status 0
expect_output $'esc\nesc2\nfile\nmade\nrenamed\nfirst\nsecond\n'
[[ "$(cat "$DIR/renamed")" == new ]] || fail "renamed file missing on the host"
[[ "$(cat "$DIR/file")" == $'first\nsecond' ]] || fail "append not on the host"
[[ "$(cat "$DIR/made/deeper/leaf")" == leaf ]] || fail "mkdir -p/leaf not on the host"
[[ ! -e "$DIR/old" ]] || fail "rm -r did not reach the host"
[[ ! -e "$DIR/created" ]] || fail "rename left the old name"
[[ "$(stat -c %a "$DIR/file")" == 600 ]] || fail "chmod not on the host"

check "/proc/mounts shows the mount"
run_sentry "mounts" run --mount "$DIR:/data:rw" --mount "$OUTSIDE:/mnt/x" -- /bin/cat /proc/mounts
expect_status 0
grep -Eq "^$DIR /data 9p rw" "$OUT" || { cat "$OUT" >&2; fail "/data missing from /proc/mounts"; }
grep -Eq "^$OUTSIDE /mnt/x 9p ro" "$OUT" || { cat "$OUT" >&2; fail "/mnt/x missing"; }

check "ro (the default): writes fail with EROFS, the host directory is unchanged"
before=$(cd "$DIR" && find . -printf '%p %s %m\n' | sort | sha256sum)
for cmd in "echo x > /data/new" "echo x >> /data/file" "mkdir /data/d" "rm /data/file" \
           "mv /data/file /data/f2" "chmod 777 /data/file" "touch /data/file"; do
  run_sentry "ro" run --mount "$DIR:/data" -- /bin/sh -c "$cmd"
  [[ "$RC" != 0 ]] || fail "'$cmd' succeeded on a read-only mount"
  expect_stderr_contains "Read-only file system"
done
run_sentry "ro-read" run --mount "$DIR:/data:ro" -- /bin/cat /data/file
expect_status 0
expect_output $'first\nsecond\n'
after=$(cd "$DIR" && find . -printf '%p %s %m\n' | sort | sha256sum)
[[ "$before" == "$after" ]] || fail "the read-only mount changed the host directory"

check "symlinks in a mount resolve inside the sandbox, never to the host path"
run_sentry "esc" run --mount "$DIR:/data:rw" -- /bin/sh -c \
  'cat /data/esc; cat /etc/hostname; echo pwned > /data/esc2; cat /data/esc2'
expect_status 0
host_name=$(cat /etc/hostname)
expect_output "$host_name"$'\n'"$host_name"$'\npwned\n'
[[ "$(cat "$OUTSIDE/secret")" == outside ]] || fail "a symlink in the mount wrote the host file"
[[ -L "$DIR/esc2" ]] || fail "the symlink itself was replaced"

check "a missing target is made; a file source is refused with a usage error"
run_sentry "deep" run --mount "$DIR:/no/such/dir" -- /bin/cat /no/such/dir/file
expect_status 0
expect_output $'first\nsecond\n'
run_sentry "file" run --mount "$DIR/file:/data" -- /bin/true
[[ "$RC" != 0 ]] || fail "a single-file --mount was accepted"
expect_stderr_contains "not a directory"

check "FIFOs: mkfifo on a rw mount makes a host FIFO; host FIFOs work as pipes inside"
FIFOS=$(mktemp -d "$E2E_TMP/fifos.XXXXXX")
mkfifo "$FIFOS/host_fifo"
run_sentry "fifo-rw" run --mount "$FIFOS:/data:rw" -- /bin/sh -c '
  mkfifo /data/made && (echo through made > /data/made &) && cat /data/made &&
  (echo through host > /data/host_fifo &) && cat /data/host_fifo'
expect_status 0
expect_output $'through made\nthrough host\n'
[[ -p "$FIFOS/made" ]] || fail "mkfifo on the rw mount did not make a host FIFO"
run_sentry "fifo-ro" run --mount "$FIFOS:/ro" -- /bin/sh -c '
  (echo read-only tree > /ro/host_fifo &) && cat /ro/host_fifo'
expect_status 0
expect_output $'read-only tree\n'
run_sentry "fifo-root" run -- /bin/sh -c "(echo root overlay > $FIFOS/host_fifo &) && cat $FIFOS/host_fifo"
expect_status 0
expect_output $'root overlay\n'
[[ -p "$FIFOS/host_fifo" ]] || fail "the host FIFO changed"

if command -v git >/dev/null; then
  check "git init/add/commit inside a rw mount"
  REPO=$(mktemp -d "$E2E_TMP/repo.XXXXXX")
  run_sentry "git" run --mount "$REPO:/repo:rw" -- /bin/sh -c '
    cd /repo && git init -q . && echo hi > a.txt && git add a.txt &&
    git -c user.name=t -c user.email=t@e -c commit.gpgsign=false commit -qm first &&
    git log --format=%s'
  expect_status 0
  expect_output $'first\n'
  [[ "$(git -C "$REPO" log --format=%s 2>/dev/null)" == first ]] ||
    fail "the commit is not in the host repository"
else
  echo "SKIP: git is not installed; the git part of this test did not run"
fi

pass
