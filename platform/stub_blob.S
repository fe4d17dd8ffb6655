/* Embeds the built stub ELF into the sentry binary (see platform/CMakeLists.txt). */
  .section .rodata.sentry_stub, "a"
  .balign 16
  .globl sentry_stub_start
sentry_stub_start:
  .incbin STUB_PATH
  .globl sentry_stub_end
sentry_stub_end:
  .section .note.GNU-stack, "", @progbits
