#!/usr/bin/env bash
# e2e: `sentry run --rootfs DIR -- /bin/cat /etc/marker` reads the marker of a busybox rootfs.
# Owned by the tests team. Usage: rootfs_test.sh SENTRY_BINARY [BUILD_DIR]
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

[[ -x /bin/busybox ]] ||
  fail "/bin/busybox is missing: install busybox-static by running scripts/setup.sh"

rootfs=$(mktemp -d "${TMPDIR:-/tmp}/sentry-rootfs.XXXXXX")
trap 'rm -rf -- "$rootfs" "$E2E_TMP"' EXIT
mkdir -p "$rootfs/bin" "$rootfs/etc" "$rootfs/tmp"
cp /bin/busybox "$rootfs/bin/busybox"
ln -s busybox "$rootfs/bin/cat"
token=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
printf '%s\n' "$token" >"$rootfs/etc/marker"

check "the rootfs works natively ($rootfs/bin/busybox cat)"
run_native busybox "$rootfs/bin/cat" "$rootfs/etc/marker"
expect_status 0
expect_output "$token"$'\n'

check "sentry run --rootfs $rootfs -- /bin/cat /etc/marker prints the token"
run_sentry rootfs run --rootfs "$rootfs" -- /bin/cat /etc/marker
expect_status 0
expect_output "$token"$'\n'
pass
