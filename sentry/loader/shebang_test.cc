// Tests for ParseShebang / ShebangArgv against Linux binfmt_script behaviour.
// Single-threaded unit test.
#include "sentry/loader/shebang.h"

#include <cerrno>
#include <string>

#include "gtest/gtest.h"

namespace sentry::loader {
namespace {

using namespace std::string_literals;

Shebang MustParse(std::string_view head) {
  auto sb = ParseShebang(head);
  EXPECT_TRUE(sb.ok()) << "errno " << sb.error() << " for: " << head;
  return sb.ok() ? *sb : Shebang{};
}

TEST(ShebangTest, Simple) {
  Shebang sb = MustParse("#!/bin/sh\necho hi\n");
  EXPECT_EQ(sb.interpreter, "/bin/sh");
  EXPECT_FALSE(sb.has_arg);
  EXPECT_EQ(sb.arg, "");
}

TEST(ShebangTest, NoNewlineShortFile) {
  Shebang sb = MustParse("#!/bin/sh");
  EXPECT_EQ(sb.interpreter, "/bin/sh");
  EXPECT_FALSE(sb.has_arg);
  sb = MustParse("#!/bin/sh -e");
  EXPECT_EQ(sb.interpreter, "/bin/sh");
  EXPECT_EQ(sb.arg, "-e");
}

TEST(ShebangTest, OneArgumentWithBlanksTrimmed) {
  Shebang sb = MustParse("#! /usr/bin/env  python3 -u  \nprint(1)\n");
  EXPECT_EQ(sb.interpreter, "/usr/bin/env");
  EXPECT_TRUE(sb.has_arg);
  EXPECT_EQ(sb.arg, "python3 -u");
}

TEST(ShebangTest, Tabs) {
  Shebang sb = MustParse("#!\t/bin/bash\t-x\t\n");
  EXPECT_EQ(sb.interpreter, "/bin/bash");
  EXPECT_EQ(sb.arg, "-x");
  sb = MustParse("#!/bin/bash \t \n");
  EXPECT_EQ(sb.interpreter, "/bin/bash");
  EXPECT_FALSE(sb.has_arg);
}

TEST(ShebangTest, CarriageReturnIsKept) {
  // Linux does not strip "\r": a DOS script asks for "/bin/sh\r".
  Shebang sb = MustParse("#!/bin/sh\r\n");
  EXPECT_EQ(sb.interpreter, "/bin/sh\r");
}

TEST(ShebangTest, NotAScript) {
  EXPECT_EQ(ParseShebang("").error(), ENOEXEC);
  EXPECT_EQ(ParseShebang("#").error(), ENOEXEC);
  EXPECT_EQ(ParseShebang("\x7f"
                         "ELF")
                .error(),
            ENOEXEC);
  EXPECT_EQ(ParseShebang(" #!/bin/sh\n").error(), ENOEXEC);
  EXPECT_EQ(ParseShebang("!#/bin/sh\n").error(), ENOEXEC);
}

TEST(ShebangTest, EmptyInterpreter) {
  EXPECT_EQ(ParseShebang("#!").error(), ENOEXEC);
  EXPECT_EQ(ParseShebang("#!\n/bin/sh\n").error(), ENOEXEC);
  EXPECT_EQ(ParseShebang("#!   \t \n").error(), ENOEXEC);
  EXPECT_EQ(ParseShebang("#!   ").error(), ENOEXEC);
  EXPECT_EQ(ParseShebang(std::string(256, ' ').replace(0, 2, "#!")).error(), ENOEXEC);
}

TEST(ShebangTest, OverlongInterpreterIsRefused) {
  // No newline and no blank after the name within 256 bytes: the name may be truncated.
  std::string head = "#!/" + std::string(300, 'a') + "\n";
  EXPECT_EQ(ParseShebang(head).error(), ENOEXEC);
  EXPECT_EQ(ParseShebang(head.substr(0, 256)).error(), ENOEXEC);
}

TEST(ShebangTest, LongestInterpreterThatFits) {
  // Name fills bytes 2..254, a blank at 255: accepted, no argument.
  std::string name = "/" + std::string(252, 'b');
  std::string head = "#!" + name + " more-args-beyond-the-buffer\n";
  Shebang sb = MustParse(head);
  EXPECT_EQ(sb.interpreter, name);
  EXPECT_FALSE(sb.has_arg);
}

TEST(ShebangTest, LongArgumentIsTruncated) {
  std::string head = "#!/bin/sh " + std::string(400, 'x') + "\n";
  Shebang sb = MustParse(head);
  EXPECT_EQ(sb.interpreter, "/bin/sh");
  EXPECT_TRUE(sb.has_arg);
  EXPECT_EQ(sb.arg, std::string(255 - 10, 'x'));  // up to byte 254; byte 255 is the end
}

TEST(ShebangTest, NulEndsTheLine) {
  Shebang sb = MustParse("#!/bin/sh\0 -x\n"s);
  EXPECT_EQ(sb.interpreter, "/bin/sh");
  EXPECT_FALSE(sb.has_arg);
  sb = MustParse("#!/bin/sh -a\0b\n"s);
  EXPECT_EQ(sb.arg, "-a");
}

TEST(ShebangTest, Argv) {
  Shebang sb{.interpreter = "/usr/bin/env", .arg = "python3 -u", .has_arg = true};
  std::vector<std::string> old = {"./script.py", "a", "b c"};
  EXPECT_EQ(
      ShebangArgv(sb, "/home/x/script.py", old),
      (std::vector<std::string>{"/usr/bin/env", "python3 -u", "/home/x/script.py", "a", "b c"}));
  Shebang noarg{.interpreter = "/bin/sh"};
  EXPECT_EQ(ShebangArgv(noarg, "s", {}), (std::vector<std::string>{"/bin/sh", "s"}));
  std::vector<std::string> only0 = {"zero"};
  EXPECT_EQ(ShebangArgv(noarg, "s", only0), (std::vector<std::string>{"/bin/sh", "s"}));
  static_assert(kMaxShebangDepth == 5);  // Linux's limit (see shebang.h)
}

}  // namespace
}  // namespace sentry::loader
