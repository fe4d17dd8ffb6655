// Implementation of BuildGuestEnv.
// Owned by the launcher; main thread.
#include "launcher/guest_env.h"

#include <cstring>
#include <optional>
#include <string_view>
#include <utility>

namespace sentry::launcher {
namespace {

// The host's value of `key`, if set (the first entry wins, as with getenv).
std::optional<std::string> HostValue(char* const* envp, std::string_view key) {
  if (envp == nullptr) return std::nullopt;
  for (char* const* e = envp; *e != nullptr; ++e) {
    std::string_view entry(*e);
    if (entry.size() > key.size() && entry[key.size()] == '=' &&
        entry.substr(0, key.size()) == key) {
      return std::string(entry.substr(key.size() + 1));
    }
  }
  return std::nullopt;
}

// An ordered key -> value list.
class EnvList {
 public:
  void Set(std::string_view key, std::string_view value) {
    for (auto& [k, v] : entries_) {
      if (k == key) {
        v = std::string(value);
        return;
      }
    }
    entries_.emplace_back(std::string(key), std::string(value));
  }
  std::vector<std::string> Strings() const {
    std::vector<std::string> out;
    out.reserve(entries_.size());
    for (const auto& [k, v] : entries_) out.push_back(k + "=" + v);
    return out;
  }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

}  // namespace

std::vector<std::string> BuildGuestEnv(char* const* host_envp, const std::vector<EnvSpec>& specs,
                                       bool inherit_all) {
  EnvList env;
  if (inherit_all) {
    for (char* const* e = host_envp; e != nullptr && *e != nullptr; ++e) {
      std::string_view entry(*e);
      size_t eq = entry.find('=');
      if (eq == 0 || eq == std::string_view::npos) continue;  // malformed: skip
      std::string_view key = entry.substr(0, eq);
      // getenv semantics: the first of duplicate entries wins.
      if (HostValue(host_envp, key) == std::string(entry.substr(eq + 1))) {
        env.Set(key, entry.substr(eq + 1));
      }
    }
  } else {
    // An empty host PATH or HOME counts as unset: the guest gets the default.
    std::string path = HostValue(host_envp, "PATH").value_or("");
    std::string home = HostValue(host_envp, "HOME").value_or("");
    env.Set("PATH", path.empty() ? kDefaultGuestPath : path);
    env.Set("HOME", home.empty() ? kDefaultGuestHome : home);
    for (const char* key : {"TERM", "LANG"}) {
      if (auto v = HostValue(host_envp, key)) env.Set(key, *v);
    }
  }
  for (const EnvSpec& s : specs) {
    if (s.has_value) {
      env.Set(s.key, s.value);
    } else if (auto v = HostValue(host_envp, s.key)) {
      env.Set(s.key, *v);
    }
  }
  return env.Strings();
}

}  // namespace sentry::launcher
