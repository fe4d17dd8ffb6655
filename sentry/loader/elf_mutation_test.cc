// Deterministic mutation test: 20,000 corrupted variants of valid ELF files must never crash
// ParseElf, and every accepted one must yield a sane, correct load plan. Single-threaded.
#include <chrono>
#include <cstring>
#include <random>

#include "gtest/gtest.h"
#include "sentry/loader/elf_file.h"
#include "sentry/loader/elf_test_util.h"
#include "sentry/loader/load_plan.h"
#include "sentry/loader/plan_checker.h"

namespace sentry::loader {
namespace {

#if defined(__SANITIZE_ADDRESS__)
#define SENTRY_LOADER_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define SENTRY_LOADER_SANITIZED 1
#endif
#endif
#ifdef SENTRY_LOADER_SANITIZED
constexpr double kTimeLimitSeconds = 30.0;  // sanitizers slow everything ~10x
#else
constexpr double kTimeLimitSeconds = 3.0;
#endif

constexpr uint64_t kInteresting64[] = {0,
                                       1,
                                       0xfff,
                                       0x1000,
                                       0x1001,
                                       0x400000,
                                       0x7ffffffff000,
                                       0x7ffffffff001,
                                       0x7fffffffffff,
                                       1ULL << 46,
                                       (1ULL << 46) + 0x1000,
                                       1ULL << 47,
                                       0x8000000000000000,
                                       ~uint64_t{0},
                                       ~uint64_t{0} - 0xfff};
constexpr uint16_t kInteresting16[] = {0, 1, 2, 3, 6, 7, 0x38, 0x39, 1024, 1025, 0x7fff, 0xffff};

void Mutate(std::mt19937_64& rng, std::vector<uint8_t>& f) {
  // Most damage goes to the headers (the first 0x200 bytes hold the ehdr and phdrs).
  auto header_pos = [&](size_t width) {
    size_t span = std::min<size_t>(f.size(), 0x200);
    return span > width ? rng() % (span - width + 1) : 0;
  };
  switch (rng() % 6) {
    case 0: {  // bit flip
      size_t i = header_pos(1);
      if (i < f.size()) f[i] ^= static_cast<uint8_t>(1u << (rng() % 8));
      break;
    }
    case 1: {  // random byte anywhere
      if (!f.empty()) f[rng() % f.size()] = static_cast<uint8_t>(rng());
      break;
    }
    case 2: {  // interesting 64-bit value at an 8-aligned header position
      size_t i = header_pos(8) & ~size_t{7};
      uint64_t v = kInteresting64[rng() % std::size(kInteresting64)];
      if (rng() % 3 == 0) v += (rng() % 64) - 32;
      if (i + 8 <= f.size()) std::memcpy(f.data() + i, &v, 8);
      break;
    }
    case 3: {  // interesting 16-bit value (e_type, e_phnum, ... live at even offsets)
      size_t i = header_pos(2) & ~size_t{1};
      uint16_t v = kInteresting16[rng() % std::size(kInteresting16)];
      if (i + 2 <= f.size()) std::memcpy(f.data() + i, &v, 2);
      break;
    }
    case 4:  // truncate
      f.resize(rng() % (f.size() + 1));
      break;
    case 5: {  // duplicate a phdr over another
      if (f.size() >= 64 + 6 * 56) {
        size_t a = rng() % 6, b = rng() % 6;
        std::memmove(f.data() + 64 + a * 56, f.data() + 64 + b * 56, 56);
      }
      break;
    }
  }
}

TEST(ElfMutationTest, NeverCrashesAndPlansAreSane) {
  const auto start = std::chrono::steady_clock::now();
  const std::vector<uint8_t> seeds[] = {testing::MakeStaticExec(), testing::MakePie()};
  std::mt19937_64 rng(0x5e47'12e5);
  int accepted = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::vector<uint8_t> f = seeds[iter % 2];
    const int n = 1 + static_cast<int>(rng() % 4);
    for (int m = 0; m < n; ++m) Mutate(rng, f);
    // Sometimes claim a larger size than the reader can deliver.
    const uint64_t claimed = (rng() % 8 == 0) ? f.size() + rng() % 0x3000 : f.size();
    auto elf = ParseElf(testing::VectorReader(f), claimed);
    if (!elf.ok()) {
      ASSERT_TRUE(elf.error() == ENOEXEC || elf.error() == ENOMEM) << elf.error();
      continue;
    }
    ++accepted;
    ASSERT_FALSE(elf->loads.empty());
    ASSERT_LE(elf->span(), kMaxLoadSpan);
    ASSERT_LE(elf->max_vaddr, kUserSpaceEnd);
    const uint64_t hint = elf->is_dyn ? 0x7f0000000000 : 0;
    auto ops = PlanLoad(*elf, hint);
    ASSERT_EQ(testing::CheckPlan(*elf, ops), "") << "iteration " << iter;
    if (claimed == f.size()) {
      const uint64_t reserve = elf->is_dyn ? ops[0].addr : 0;
      ASSERT_EQ(testing::SimulatePlan(*elf, ops, f, reserve == 0 ? 0x7f0000000000 : reserve, 64),
                "")
          << "iteration " << iter;
    }
  }
  // The mutations must leave enough valid files for the plan checks to mean something.
  EXPECT_GT(accepted, 2000);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(secs, kTimeLimitSeconds);
}

}  // namespace
}  // namespace sentry::loader
