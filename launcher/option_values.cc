// Implementation of the flag value parsers (sizes, durations, CPUs, host names, --env, --mount).
// Owned by the launcher; main thread.
#include "launcher/option_values.h"

#include <limits.h>
#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <initializer_list>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sentry::launcher {
namespace {

// absl::StrCat for std::string_view (Debian's Abseil has its own string_view type).
std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) out.append(p);
  return out;
}

// "12.50" -> mantissa 1250, frac_digits 2. At most 9 digits on each side of the point and at
// least one digit in all; no sign, no exponent, no spaces.
bool ParseDecimal(std::string_view text, uint64_t* mantissa, int* frac_digits) {
  uint64_t m = 0;
  int int_digits = 0, frac = 0;
  bool point = false;
  for (char ch : text) {
    if (ch == '.' && !point) {
      point = true;
      continue;
    }
    if (ch < '0' || ch > '9') return false;
    if (point ? ++frac > 9 : ++int_digits > 9) return false;
    m = m * 10 + static_cast<uint64_t>(ch - '0');
  }
  if (int_digits + frac == 0) return false;
  *mantissa = m;
  *frac_digits = frac;
  return true;
}

uint64_t Pow10(int n) {
  uint64_t p = 1;
  while (n-- > 0) p *= 10;
  return p;
}

}  // namespace

bool ParseByteSize(std::string_view text, uint64_t* out) {
  if (text.substr(0, 5) == "size=") text.remove_prefix(5);
  if (text.empty()) return false;
  uint64_t unit = 1;
  switch (text.back()) {
    case 'k':
    case 'K':
      unit = 1ull << 10;
      break;
    case 'm':
    case 'M':
      unit = 1ull << 20;
      break;
    case 'g':
    case 'G':
      unit = 1ull << 30;
      break;
    default:
      break;
  }
  if (unit != 1) text.remove_suffix(1);
  if (text.empty() || text.size() > 15) return false;
  uint64_t n = 0;
  for (char ch : text) {
    if (ch < '0' || ch > '9') return false;
    n = n * 10 + static_cast<uint64_t>(ch - '0');
  }
  if (n == 0 || n > (1ull << 40) / unit) return false;
  *out = n * unit;
  return true;
}

std::string FormatByteSize(uint64_t bytes) {
  if (bytes != 0 && bytes % (1ull << 30) == 0) return absl::StrCat(bytes >> 30, "G");
  if (bytes != 0 && bytes % (1ull << 20) == 0) return absl::StrCat(bytes >> 20, "M");
  if (bytes != 0 && bytes % (1ull << 10) == 0) return absl::StrCat(bytes >> 10, "K");
  return absl::StrCat(bytes);
}

absl::StatusOr<uint64_t> ParseMemoryLimit(std::string_view text) {
  uint64_t bytes = 0;
  if (!ParseByteSize(text, &bytes) || bytes < kMinMemoryBytes) {
    return absl::InvalidArgumentError(Cat(
        {"--memory ", text,
         ": want a byte count with an optional k, m or g suffix, from 8m to 1024g (e.g. 512m)"}));
  }
  return bytes;
}

absl::StatusOr<uint64_t> ParsePidsLimit(std::string_view text) {
  uint64_t mantissa = 0;
  int frac = 0;
  if (!ParseDecimal(text, &mantissa, &frac) || frac != 0 || text.find('.') != text.npos ||
      mantissa == 0 || mantissa > kMaxPids) {
    return absl::InvalidArgumentError(
        Cat({"--pids ", text, ": want a whole number of processes from 1 to ",
             std::to_string(kMaxPids)}));
  }
  return mantissa;
}

absl::StatusOr<double> ParseCpus(std::string_view text) {
  uint64_t mantissa = 0;
  int frac = 0;
  // Exact range check in integers: 0.01 <= mantissa / 10^frac <= 1024.
  if (!ParseDecimal(text, &mantissa, &frac) ||
      static_cast<unsigned __int128>(mantissa) * 100 < Pow10(frac) ||
      static_cast<unsigned __int128>(mantissa) >
          static_cast<unsigned __int128>(1024) * Pow10(frac)) {
    return absl::InvalidArgumentError(
        Cat({"--cpus ", text, ": want a number of CPUs from 0.01 to 1024 (e.g. 0.5 or 2)"}));
  }
  return static_cast<double>(mantissa) / static_cast<double>(Pow10(frac));
}

absl::StatusOr<int64_t> ParseDurationMs(std::string_view text) {
  std::string_view number = text;
  uint64_t unit_ms = 1000;
  struct Unit {
    std::string_view suffix;
    uint64_t ms;
  };
  // "ms" before "s" so that "500ms" is not read as "500m" + "s".
  for (const Unit& u : {Unit{"ms", 1}, Unit{"s", 1000}, Unit{"m", 60'000}, Unit{"h", 3'600'000},
                        Unit{"d", 86'400'000}}) {
    if (number.size() > u.suffix.size() &&
        number.substr(number.size() - u.suffix.size()) == u.suffix) {
      number.remove_suffix(u.suffix.size());
      unit_ms = u.ms;
      break;
    }
  }
  uint64_t mantissa = 0;
  int frac = 0;
  constexpr unsigned __int128 kMaxMs = 365ull * 86'400'000;
  bool ok = ParseDecimal(number, &mantissa, &frac) && mantissa != 0;
  unsigned __int128 scaled = static_cast<unsigned __int128>(mantissa) * unit_ms;
  uint64_t div = Pow10(frac);
  unsigned __int128 ms = (scaled + div - 1) / div;  // round up: never 0 for a positive value
  if (!ok || ms == 0 || ms > kMaxMs) {
    return absl::InvalidArgumentError(
        Cat({"--timeout ", text,
             ": want a positive duration with an optional unit ms, s, m, h or d "
             "(e.g. 1.5, 10s, 2m), at most 365d"}));
  }
  return static_cast<int64_t>(ms);
}

std::string FormatDurationMs(int64_t ms) {
  if (ms % 3'600'000 == 0) return absl::StrCat(ms / 3'600'000, "h");
  if (ms % 60'000 == 0) return absl::StrCat(ms / 60'000, "m");
  if (ms % 1000 == 0) return absl::StrCat(ms / 1000, "s");
  std::string s = absl::StrFormat("%d.%03d", ms / 1000, ms % 1000);
  while (s.back() == '0') s.pop_back();
  return s + "s";
}

absl::Status ValidateHostname(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 64 && name[0] != '-' && name[0] != '.';
  for (char ch : name) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
          ch == '-' || ch == '.')) {
      ok = false;
    }
  }
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(
      Cat({"--hostname \"", name,
           "\": want 1 to 64 characters from A-Z, a-z, 0-9, '.' and '-', "
           "not starting with '.' or '-'"}));
}

absl::StatusOr<EnvSpec> ParseEnvSpec(std::string_view spec) {
  EnvSpec e;
  size_t eq = spec.find('=');
  e.key = std::string(spec.substr(0, eq));
  if (eq != std::string_view::npos) {
    e.value = std::string(spec.substr(eq + 1));
    e.has_value = true;
  }
  if (e.key.empty()) {
    return absl::InvalidArgumentError(
        Cat({"--env \"", spec, "\": want NAME=VALUE or NAME (the name is empty)"}));
  }
  return e;
}

absl::StatusOr<std::string> NormalizeSandboxPath(std::string_view flag, std::string_view spec,
                                                 std::string_view path) {
  if (path.empty() || path[0] != '/') {
    return absl::InvalidArgumentError(
        Cat({flag, " ", spec, ": the target must be an absolute path"}));
  }
  std::string out;
  // Single slashes, no trailing slash, no "." components; ".." is refused.
  for (size_t i = 0; i < path.size();) {
    size_t end = path.find('/', i);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(i, end - i);
    i = end + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      return absl::InvalidArgumentError(
          Cat({flag, " ", spec, ": the target must not contain \"..\""}));
    }
    out.append("/").append(part);
  }
  if (out.empty()) {
    return absl::InvalidArgumentError(Cat({flag, " ", spec, ": cannot mount over the root"}));
  }
  return out;
}

absl::StatusOr<MountOption> ParseMountOption(std::string_view spec) {
  std::string_view parts[4];
  size_t n = 0;
  for (size_t i = 0; n < 4;) {
    size_t colon = spec.find(':', i);
    parts[n++] = spec.substr(i, colon == std::string_view::npos ? colon : colon - i);
    if (colon == std::string_view::npos) break;
    i = colon + 1;
  }
  MountOption m;
  if (n == 3) {
    if (parts[2] == "ro") {
      m.read_only = true;
    } else if (parts[2] == "rw") {
      m.read_only = false;
    } else {
      return absl::InvalidArgumentError(
          Cat({"--mount ", spec, ": unknown mode \"", parts[2], "\" (want ro or rw)"}));
    }
  }
  if (n < 2 || n > 3 || parts[0].empty() || parts[1].empty()) {
    return absl::InvalidArgumentError(Cat(
        {"--mount ", spec, ": want SRC:DST[:ro|rw] (host path, sandbox path; no ':' in paths)"}));
  }
  auto target = NormalizeSandboxPath("--mount", spec, parts[1]);
  if (!target.ok()) return target.status();
  m.target = *std::move(target);
  std::string source(parts[0]);
  char resolved[PATH_MAX];
  if (::realpath(source.c_str(), resolved) == nullptr) {
    return absl::NotFoundError(
        Cat({"--mount ", spec, ": source ", source, ": ", std::strerror(errno)}));
  }
  m.source = resolved;
  return m;
}

}  // namespace sentry::launcher
