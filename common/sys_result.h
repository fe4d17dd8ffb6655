// SysResult: what a guest-facing syscall handler returns: a value or an errno,
// in the kernel's convention (-4095..-1 are errors). Never allocates.
#pragma once

#include <cstdint>
#include <utility>

namespace sentry {

class SysResult {
 public:
  constexpr SysResult(int64_t value = 0) : raw_(value) {}  // NOLINT: implicit on purpose
  static constexpr SysResult Errno(int err) { return SysResult(-static_cast<int64_t>(err)); }

  constexpr bool ok() const { return !(raw_ < 0 && raw_ >= -4095); }
  constexpr int error() const { return ok() ? 0 : static_cast<int>(-raw_); }
  constexpr int64_t value() const { return raw_; }
  // The value as the kernel would put it in rax.
  constexpr int64_t raw() const { return raw_; }

 private:
  int64_t raw_;
};

// ErrnoOr<T>: a value or an errno, for sentry-internal calls on guest paths.
template <typename T>
class ErrnoOr {
 public:
  ErrnoOr(T value) : value_(std::move(value)), err_(0) {}  // NOLINT
  static ErrnoOr Errno(int err) { return ErrnoOr(err, 0); }
  bool ok() const { return err_ == 0; }
  int error() const { return err_; }
  T& operator*() { return value_; }
  const T& operator*() const { return value_; }
  T* operator->() { return &value_; }
  const T* operator->() const { return &value_; }
  T&& take() { return std::move(value_); }

 private:
  ErrnoOr(int err, int) : value_(), err_(err) {}
  T value_;
  int err_;
};

}  // namespace sentry
