// RETURN_IF_ERROR / ASSIGN_OR_RETURN for absl::Status (Debian's Abseil 20220623 has none).
// Header-only; usable from any thread.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define SENTRY_CONCAT_INNER(a, b) a##b
#define SENTRY_CONCAT(a, b) SENTRY_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)                   \
  do {                                          \
    ::absl::Status _st = (expr);                \
    if (!_st.ok()) return _st;                  \
  } while (0)

#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(*tmp)

#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(SENTRY_CONCAT(_status_or_, __LINE__), lhs, expr)
