# Syscall table, guest seccomp filter generation, --strace decoding and the Markdown
# compatibility table. include()d from sentry/CMakeLists.txt; paths are relative to this file.
# Expects: target sentry_common, PkgConfig::SECCOMP (pkg_check_modules(SECCOMP ... IMPORTED_TARGET
# libseccomp)), fmt::fmt, absl, GTest and include(GoogleTest) from the top level.
add_library(sentry_syscall_table STATIC
  ${CMAKE_CURRENT_LIST_DIR}/syscall_table.cc
  ${CMAKE_CURRENT_LIST_DIR}/seccomp_filter.cc
  ${CMAKE_CURRENT_LIST_DIR}/strace_format.cc
  ${CMAKE_CURRENT_LIST_DIR}/syscall_markdown.cc)
target_link_libraries(sentry_syscall_table
  PUBLIC sentry_common absl::span absl::status absl::statusor fmt::fmt
  PRIVATE PkgConfig::SECCOMP absl::strings)

add_executable(sentry_syscall_table_test
  ${CMAKE_CURRENT_LIST_DIR}/syscall_table_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/seccomp_filter_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/strace_format_test.cc
  ${CMAKE_CURRENT_LIST_DIR}/syscall_markdown_test.cc)
target_link_libraries(sentry_syscall_table_test sentry_syscall_table GTest::gtest_main)
gtest_discover_tests(sentry_syscall_table_test)
