#!/usr/bin/env bash
# e2e: GNU make -jN builds a small C program (parallel gcc jobs, a recursive make sharing
# the jobserver): make waits in pselect with SIGCHLD let in only there, so this hangs
# unless the call's signal mask is honoured. Compared with a native run.
set -euo pipefail
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh" "$@"
E2E_RUN_TIMEOUT=40

# make_project DIR: six C files, a Makefile that compiles them in parallel and a sub-make.
make_project() {
  local dir=$1
  mkdir -p "$dir/sub"
  for i in 1 2 3 4 5 6; do
    printf 'int f%d(void) { return %d; }\n' "$i" "$i" >"$dir/f$i.c"
  done
  cat >"$dir/main.c" <<'C'
#include <stdio.h>
int f1(void), f2(void), f3(void), f4(void), f5(void), f6(void);
int main(void) { printf("sum %d\n", f1() + f2() + f3() + f4() + f5() + f6()); return 0; }
C
  printf 'all:\n\tsleep 0.1; echo sub-a > a.txt\n\tsleep 0.1; echo sub-b > b.txt\n' >"$dir/sub/Makefile"
  cat >"$dir/Makefile" <<'MK'
OBJS = main.o f1.o f2.o f3.o f4.o f5.o f6.o
prog: $(OBJS) subdir
	gcc -o $@ $(OBJS)
%.o: %.c
	gcc -c -o $@ $<
subdir:
	$(MAKE) -C sub
.PHONY: subdir
MK
}

# The sandbox's writes stay in its own layer: the build is checked from inside.
build_and_run='make -s -j"$1" -C "$2" && "$2/prog" && cat "$2/sub/a.txt" "$2/sub/b.txt"'
for jobs in 2 4; do
  check "make -j$jobs builds the program, the sub-make shares the jobserver"
  make_project "$E2E_TMP/p$jobs"
  run_sentry "make$jobs" run -- /bin/sh -c "$build_and_run" sh "$jobs" "$E2E_TMP/p$jobs"
  ((RC == 0)) || { show_stderr; fail "make -j$jobs exited $RC under the sentry"; }
  expect_output $'sum 21\nsub-a\nsub-b\n'
  run_native "make$jobs" /bin/sh -c "$build_and_run" sh "$jobs" "$E2E_TMP/p$jobs"
  ((RC == 0)) || { show_stderr; fail "native make -j$jobs exited $RC"; }
  expect_output $'sum 21\nsub-a\nsub-b\n'
done

pass
