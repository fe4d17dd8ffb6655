// Bounds-checked cursors over gofer messages: Reader parses untrusted bytes, Writer builds
// a message. Used by gofer::Server and gofer::Client; plain values, any thread (not shared).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

#include "absl/types/span.h"
#include "gofer/protocol.h"

namespace sentry::gofer::wire {

// Reads PODs and names from a byte span. Every read checks the remaining length first; a
// failed read consumes nothing and returns false.
class Reader {
 public:
  explicit Reader(absl::Span<const char> data) : data_(data) {}

  template <typename T>
  bool Read(T* out) {
    static_assert(std::is_trivially_copyable_v<T>);
    if (remaining() < sizeof(T)) return false;
    std::memcpy(out, data_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }

  // A length-prefixed name (uint16 len + bytes). Only checks that the bytes are present;
  // the caller validates the content (CheckName). The view points into the buffer.
  bool ReadName(std::string_view* out) {
    uint16_t len;
    if (remaining() < sizeof(len)) return false;
    std::memcpy(&len, data_.data() + pos_, sizeof(len));
    if (remaining() - sizeof(len) < len) return false;
    *out = std::string_view(data_.data() + pos_ + sizeof(len), len);
    pos_ += sizeof(len) + len;
    return true;
  }

  bool ReadBytes(size_t n, std::string_view* out) {
    if (remaining() < n) return false;
    *out = std::string_view(data_.data() + pos_, n);
    pos_ += n;
    return true;
  }

  size_t remaining() const { return data_.size() - pos_; }
  bool done() const { return remaining() == 0; }

 private:
  absl::Span<const char> data_;
  size_t pos_ = 0;
};

// Appends PODs and names to a string. Begin() starts a message with a header; Finish()
// patches the header's size. The caller keeps the total within kMaxMessage (fits()).
class Writer {
 public:
  explicit Writer(std::string* out) : out_(out) {}

  void Begin(uint16_t op, uint32_t tag, int32_t error = 0) {
    out_->clear();
    Header h{.size = 0, .op = op, .flags = 0, .tag = tag, .error = error};
    Put(h);
  }

  template <typename T>
  void Put(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    out_->append(reinterpret_cast<const char*>(&v), sizeof(T));
  }

  // Requires name.size() <= UINT16_MAX (names are checked against kMaxName first).
  void PutName(std::string_view name) {
    Put(static_cast<uint16_t>(name.size()));
    out_->append(name);
  }
  void PutBytes(std::string_view bytes) { out_->append(bytes); }

  // Overwrites a POD already written at byte `offset`.
  template <typename T>
  void PutAt(size_t offset, const T& v) {
    std::memcpy(out_->data() + offset, &v, sizeof(T));
  }

  // Drops everything after the first `size` bytes.
  void Truncate(size_t size) { out_->resize(size); }

  bool fits(size_t more) const { return out_->size() + more <= kMaxMessage; }
  size_t size() const { return out_->size(); }

  void Finish() {
    uint32_t size = static_cast<uint32_t>(out_->size());
    std::memcpy(out_->data() + offsetof(Header, size), &size, sizeof(size));
  }

 private:
  std::string* out_;
};

}  // namespace sentry::gofer::wire
