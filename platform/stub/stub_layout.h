/* Fixed layout of the stub region shared by the stub image (assembly) and the sentry.
 * Owned by platform/; constants only, usable from C, C++ and assembly.
 * The stub is ET_EXEC at a fixed address so that the kernel's brk follows it and the
 * sentry knows where the code and the scratch (load plan) pages are in every guest. */
#ifndef SENTRY_PLATFORM_STUB_STUB_LAYOUT_H_
#define SENTRY_PLATFORM_STUB_STUB_LAYOUT_H_

#define STUB_BASE 0x700000000000
#define STUB_CODE_SIZE 0x1000
#define STUB_SCRATCH 0x700000001000 /* read-write: the load plan */
#define STUB_SCRATCH_SIZE 0x4000

/* Offsets of entry points inside the code page (the linker script pins them). */
#define STUB_START_OFFSET 0x0    /* kernel entry: asks the sentry for its load plan */
#define STUB_LOAD_OFFSET 0x100   /* executes the load plan, then jumps to the program */
#define STUB_SYSCALL_OFFSET 0x200 /* "syscall; int3": for syscalls injected at a ptrace stop */

/* The stub's first act after the host executed it: a syscall with this number (no Linux
 * syscall has it, so the guest filter sends it to the sentry as a user notification) and
 * the kernel's initial stack pointer in rdi. The sentry writes the load plan and the new
 * stack image and answers 0; any other answer makes the stub exit_group(127). This replaces
 * a PTRACE_EVENT_EXEC stop (two cross-CPU hand-offs) by one synchronous notification. */
#define STUB_PLAN_REQUEST_NR 0x5354

/* Load plan header at STUB_SCRATCH: magic, nops, entry, sp, 4 reserved words; then ops. */
#define STUB_PLAN_MAGIC 0x53545542504c414eULL /* "STUBPLAN" */
#define STUB_PLAN_HEADER_SIZE 64
#define STUB_OP_SIZE 64 /* nr, 6 args, 1 reserved */
#define STUB_OP_ZERO 0x10000 /* pseudo syscall: zero args[1] bytes at args[0] */
#define STUB_MAX_OPS ((STUB_SCRATCH_SIZE - STUB_PLAN_HEADER_SIZE) / STUB_OP_SIZE)

#endif
