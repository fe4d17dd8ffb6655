// The guest's initial environment: a small clean default built from the launcher's, plus
// --env and --inherit-env. Owned by the launcher; main thread, pure function.
#pragma once

#include <string>
#include <vector>

#include "launcher/option_values.h"

namespace sentry::launcher {

inline constexpr char kDefaultGuestPath[] =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
inline constexpr char kDefaultGuestHome[] = "/root";

// Builds "K=V" strings for the guest from the host environment `host_envp` (environ-style,
// may be null):
//  - by default only PATH (the host's if non-empty, else kDefaultGuestPath), HOME (likewise,
//    else kDefaultGuestHome), and TERM and LANG when the host has them;
//  - with `inherit_all`, the whole host environment instead;
//  - then each spec in order: "K=V" sets K, "K" copies the host's K (nothing if unset).
// Each key appears once (a later setting replaces an earlier one in place); new keys are
// appended in the order they were first set.
std::vector<std::string> BuildGuestEnv(char* const* host_envp, const std::vector<EnvSpec>& specs,
                                       bool inherit_all);

}  // namespace sentry::launcher
