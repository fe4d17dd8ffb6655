// Shared main() body of the guest benchmark programs: BENCHMARK_MAIN() with a short default
// --benchmark_min_time, so that a bare run stays quick (an explicit flag wins). libc only.
#pragma once

#include <cstring>
#include <vector>

#include "benchmark/benchmark.h"

inline int RunBenchmarksWithDefaults(int argc, char** argv) {
  std::vector<char*> args(argv, argv + argc);
  bool has_min_time = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--benchmark_min_time", 20) == 0) has_min_time = true;
  }
  static char kDefaultMinTime[] = "--benchmark_min_time=0.2";
  if (!has_min_time) args.insert(args.begin() + 1, kDefaultMinTime);
  int new_argc = static_cast<int>(args.size());
  args.push_back(nullptr);
  benchmark::Initialize(&new_argc, args.data());
  if (benchmark::ReportUnrecognizedArguments(new_argc, args.data())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
