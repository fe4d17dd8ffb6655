// Tests for BuildStack: decodes the image as a guest's libc would and checks every value.
// Single-threaded unit test.
#include "sentry/loader/initial_stack.h"

#include <elf.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "gtest/gtest.h"

namespace sentry::loader {
namespace {

constexpr uint64_t kTop = 0x7ffffffde000;

// Reads an image through guest addresses; fails the test on out-of-range access.
class Decoder {
 public:
  explicit Decoder(const StackImage& img) : img_(img) {}
  uint64_t Word(uint64_t addr) const {
    EXPECT_GE(addr, img_.sp);
    EXPECT_LE(addr + 8, img_.sp + img_.bytes.size());
    if (addr < img_.sp || addr + 8 > img_.sp + img_.bytes.size()) return 0;
    uint64_t v;
    std::memcpy(&v, img_.bytes.data() + (addr - img_.sp), 8);
    return v;
  }
  std::string Str(uint64_t addr) const {
    std::string s;
    for (uint64_t a = addr;; ++a) {
      if (a < img_.sp || a >= img_.sp + img_.bytes.size()) {
        ADD_FAILURE() << "string runs off the image";
        return s;
      }
      char c = static_cast<char>(img_.bytes[a - img_.sp]);
      if (c == 0) return s;
      s += c;
    }
  }

 private:
  const StackImage& img_;
};

struct Decoded {
  std::vector<std::string> argv, envp;
  std::vector<std::pair<uint64_t, uint64_t>> auxv;  // without AT_NULL
  std::map<uint64_t, uint64_t> aux;
};

Decoded Decode(const StackImage& img) {
  Decoder d(img);
  Decoded out;
  uint64_t p = img.sp;
  uint64_t argc = d.Word(p);
  p += 8;
  for (uint64_t i = 0; i < argc; ++i, p += 8) out.argv.push_back(d.Str(d.Word(p)));
  EXPECT_EQ(d.Word(p), 0u) << "argv not NULL-terminated";
  p += 8;
  for (; d.Word(p) != 0; p += 8) out.envp.push_back(d.Str(d.Word(p)));
  p += 8;
  for (;; p += 16) {
    uint64_t key = d.Word(p), value = d.Word(p + 8);
    if (key == AT_NULL) break;
    out.auxv.emplace_back(key, value);
    out.aux[key] = value;
    if (out.auxv.size() > 100) {
      ADD_FAILURE() << "auxv not terminated";
      break;
    }
  }
  return out;
}

StackInputs SampleInputs() {
  StackInputs in;
  in.argv = {"/bin/prog", "-x", "", "hello world"};
  in.envp = {"PATH=/usr/bin:/bin", "HOME=/root", "EMPTY="};
  in.execfn = "/bin/prog";
  for (int i = 0; i < 16; ++i) in.random[i] = static_cast<uint8_t>(0xa0 + i);
  in.auxv = {{AT_PHDR, 0x400040},       {AT_PHENT, 56},       {AT_PHNUM, 9},  {AT_PAGESZ, 4096},
             {AT_BASE, 0x7f0000000000}, {AT_ENTRY, 0x401000}, {AT_UID, 1000}, {AT_SECURE, 0}};
  return in;
}

TEST(BuildStackTest, RoundTrip) {
  StackInputs in = SampleInputs();
  auto img = BuildStack(in, kTop, 1 << 20);
  ASSERT_TRUE(img.ok()) << img.error();
  EXPECT_EQ(img->sp % 16, 0u);
  EXPECT_LE(img->sp + img->bytes.size(), kTop);
  EXPECT_GE(img->sp + img->bytes.size(), kTop - 16);

  Decoded d = Decode(*img);
  EXPECT_EQ(d.argv, in.argv);
  EXPECT_EQ(d.envp, in.envp);
  // Caller pairs first, in order, then the builder's.
  ASSERT_EQ(d.auxv.size(), in.auxv.size() + 3);
  for (size_t i = 0; i < in.auxv.size(); ++i) EXPECT_EQ(d.auxv[i], in.auxv[i]);
  EXPECT_EQ(d.auxv[in.auxv.size()].first, uint64_t{AT_RANDOM});
  EXPECT_EQ(d.auxv[in.auxv.size() + 1].first, uint64_t{AT_EXECFN});
  EXPECT_EQ(d.auxv[in.auxv.size() + 2].first, uint64_t{AT_PLATFORM});

  Decoder dec(*img);
  EXPECT_EQ(dec.Str(d.aux[AT_EXECFN]), "/bin/prog");
  EXPECT_EQ(dec.Str(d.aux[AT_PLATFORM]), "x86_64");
  const uint64_t rnd = d.aux[AT_RANDOM];
  ASSERT_GE(rnd, img->sp);
  ASSERT_LE(rnd + 16, img->sp + img->bytes.size());
  EXPECT_EQ(std::memcmp(img->bytes.data() + (rnd - img->sp), in.random.data(), 16), 0);

  // Strings sit above the tables and in order: argv[0] lowest, execfn highest.
  Decoder w(*img);
  const uint64_t argv0 = w.Word(img->sp + 8);
  EXPECT_GT(argv0, rnd);
  EXPECT_GT(d.aux[AT_EXECFN], w.Word(img->sp + 8 * (1 + in.argv.size() + 1)));
  // The top word (Linux's end marker) is zero.
  EXPECT_EQ(w.Word(img->sp + img->bytes.size() - 8), 0u);
}

TEST(BuildStackTest, AlignmentForEveryShape) {
  // sp stays 16-aligned whatever the parities of counts and string lengths.
  for (int argc = 0; argc < 4; ++argc) {
    for (int envc = 0; envc < 3; ++envc) {
      for (int extra = 0; extra < 3; ++extra) {
        StackInputs in;
        for (int i = 0; i < argc; ++i) in.argv.push_back(std::string(i + extra, 'a'));
        for (int i = 0; i < envc; ++i) in.envp.push_back(std::string(2 * i + 1, 'e'));
        in.execfn = std::string(extra, 'f');
        for (int i = 0; i < extra; ++i) in.auxv.push_back({AT_PAGESZ, 4096});
        if (extra == 2) in.platform = "";
        for (uint64_t top : {kTop, kTop - 8, kTop - 3}) {
          auto img = BuildStack(in, top, 1 << 16);
          ASSERT_TRUE(img.ok());
          EXPECT_EQ(img->sp % 16, 0u);
          EXPECT_LE(img->sp + img->bytes.size(), top);
          Decoded d = Decode(*img);
          EXPECT_EQ(d.argv, in.argv);
          EXPECT_EQ(d.envp, in.envp);
          EXPECT_EQ(d.aux.count(AT_PLATFORM), in.platform.empty() ? 0u : 1u);
        }
      }
    }
  }
}

TEST(BuildStackTest, E2bigForImageOverMaxBytes) {
  StackInputs in = SampleInputs();
  auto img = BuildStack(in, kTop, 1 << 20);
  ASSERT_TRUE(img.ok());
  const size_t need = img->bytes.size();
  EXPECT_TRUE(BuildStack(in, kTop, need).ok());
  EXPECT_EQ(BuildStack(in, kTop, need - 1).error(), E2BIG);
  EXPECT_EQ(BuildStack(in, kTop, 0).error(), E2BIG);
}

TEST(BuildStackTest, E2bigForLongStrings) {
  StackInputs in = SampleInputs();
  in.argv.push_back(std::string(kMaxArgStrlen - 1, 'x'));  // exactly the limit with its NUL
  EXPECT_TRUE(BuildStack(in, kTop, 1 << 20).ok());
  in.argv.back().push_back('x');
  EXPECT_EQ(BuildStack(in, kTop, 1 << 20).error(), E2BIG);
  in = SampleInputs();
  in.envp.push_back(std::string(kMaxArgStrlen, 'y'));
  EXPECT_EQ(BuildStack(in, kTop, 1 << 20).error(), E2BIG);
  in = SampleInputs();
  in.execfn = std::string(kMaxArgStrlen, 'z');
  EXPECT_EQ(BuildStack(in, kTop, 1 << 20).error(), E2BIG);
}

TEST(BuildStackTest, E2bigForTotalOverRlimitShare) {
  EXPECT_EQ(ArgStringsLimit(8 << 20), 2u << 20);
  EXPECT_EQ(ArgStringsLimit(256 << 10), 32u * 4096);  // at least ARG_MAX
  EXPECT_EQ(ArgStringsLimit(~uint64_t{0}), 6u << 20);
  StackInputs in;
  in.stack_rlimit = 8 << 20;  // 2 MiB for strings and pointers
  for (int i = 0; i < 20; ++i) in.envp.push_back(std::string(100000, 'v'));
  EXPECT_TRUE(BuildStack(in, kTop, 64 << 20).ok());
  for (int i = 0; i < 2; ++i) in.envp.push_back(std::string(100000, 'v'));
  EXPECT_EQ(BuildStack(in, kTop, 64 << 20).error(), E2BIG);
}

TEST(BuildStackTest, BadInputs) {
  StackInputs in = SampleInputs();
  in.auxv.push_back({AT_NULL, 0});
  EXPECT_EQ(BuildStack(in, kTop, 1 << 20).error(), EINVAL);
  EXPECT_EQ(BuildStack(SampleInputs(), 64, 1 << 20).error(), EINVAL);  // top too low
}

}  // namespace
}  // namespace sentry::loader
