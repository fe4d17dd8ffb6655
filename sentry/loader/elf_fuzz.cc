// libFuzzer target: ParseElf + PlanLoad on arbitrary bytes; accepted files must give a sane,
// correct plan. Built only with Clang (see CMakeLists.txt). Single-threaded.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "sentry/loader/elf_file.h"
#include "sentry/loader/elf_test_util.h"
#include "sentry/loader/load_plan.h"
#include "sentry/loader/plan_checker.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sentry::loader;
  const std::vector<uint8_t> file(data, data + size);
  auto elf = ParseElf(testing::VectorReader(file), file.size());
  if (!elf.ok()) return 0;
  const uint64_t hint = 0x7f0000000000;
  auto ops = PlanLoad(*elf, hint);
  std::string err = testing::CheckPlan(*elf, ops);
  if (err.empty()) {
    const uint64_t reserve = elf->is_dyn ? ops[0].addr : 0;
    err = testing::SimulatePlan(*elf, ops, file, reserve == 0 ? hint : reserve, 256);
  }
  if (!err.empty()) {
    std::fprintf(stderr, "bad plan: %s\n", err.c_str());
    std::abort();
  }
  return 0;
}
