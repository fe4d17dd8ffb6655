/* The stub image: a tiny static program every guest address space starts from.
 * Built into the sentry binary; executed by the host kernel (execveat of a memfd) and then
 * driven by the sentry: it asks for its load plan and runs it from the scratch page. */
#include "stub_layout.h"

  .section .text.start, "ax"
  .globl _start
_start:
  mov %rsp, %rdi          /* the kernel's stack: argv, envp and auxv of the stub exec */
  mov $STUB_PLAN_REQUEST_NR, %eax
  syscall                 /* the sentry writes the plan, then answers 0 */
  test %rax, %rax
  jz stub_load
  mov $231, %eax          /* no plan: exit_group(127) */
  mov $127, %edi
  syscall
  hlt

  .section .text.load, "ax"
  .globl stub_load
stub_load:
  movabs $STUB_SCRATCH, %r12
  mov 8(%r12), %r13               /* number of ops */
  lea STUB_PLAN_HEADER_SIZE(%r12), %r14
  xor %ebx, %ebx                  /* op index (reported in rbx on failure) */
1:
  cmp %r13, %rbx
  jae 4f
  mov (%r14), %rax
  cmp $STUB_OP_ZERO, %rax
  je 2f
  mov 8(%r14), %rdi
  mov 16(%r14), %rsi
  mov 24(%r14), %rdx
  mov 32(%r14), %r10
  mov 40(%r14), %r8
  mov 48(%r14), %r9
  syscall
  cmp $-4095, %rax
  jae 3f
  jmp 5f
2:
  mov 8(%r14), %rdi
  mov 16(%r14), %rcx
  xor %eax, %eax
  cld
  rep stosb
5:
  add $STUB_OP_SIZE, %r14
  inc %rbx
  jmp 1b
3:
  int3                            /* failed op: rbx = index, rax = -errno */
  ud2
4:
  mov 24(%r12), %rsp
  mov 16(%r12), %rax
  xor %ebx, %ebx
  xor %ecx, %ecx
  xor %edx, %edx
  xor %esi, %esi
  xor %edi, %edi
  xor %ebp, %ebp
  xor %r8d, %r8d
  xor %r9d, %r9d
  xor %r10d, %r10d
  xor %r11d, %r11d
  xor %r12d, %r12d
  xor %r13d, %r13d
  xor %r14d, %r14d
  xor %r15d, %r15d
  jmp *%rax

  .section .text.syscall, "ax"
  .globl stub_syscall
stub_syscall:
  syscall
  int3
  ud2

  .section .note.GNU-stack, "", @progbits
