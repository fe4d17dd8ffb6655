// KernelProcessInfo's rewriting of the host's /proc/PID/stat and status into the guest's
// view (ids, names, state, credentials). Test-only; runs on the test main thread.
#include "sentry/process_info.h"

#include <string>

#include "gtest/gtest.h"

namespace sentry {
namespace {

// A host line as the sentry's /proc shows a guest (host ids 5101, 5100, ...).
constexpr char kHostStat[] =
    "5101 (stub name) t 5100 5100 5100 0 -1 4194304 75 0 0 0 3 4 5 6 20 0 2 0 1391961 "
    "3014656 412 18446744073709551615 1 2 3 0 0 0 0 4096 0 1 0 0 17 0 0 0 0 0 0 4 5 6 7 8 "
    "9 10 0\n";

GuestProcView View() {
  GuestProcView v;
  v.pid = 7;
  v.id = 7;
  v.ppid = 1;
  v.pgrp = 1;
  v.session = 1;
  v.comm = "a (b) c";
  v.nice = 5;
  v.rss_limit = 4096;
  v.umask = 027;
  v.creds.uid = v.creds.euid = v.creds.fsuid = 1000;
  v.creds.gid = v.creds.egid = v.creds.fsgid = 100;
  v.creds.groups = {100, 27};
  return v;
}

TEST(ProcessInfoTest, StatFieldsParse) {
  std::vector<std::string> f = HostStatFields(kHostStat);
  ASSERT_EQ(f.size(), 50u);  // fields 3..52
  EXPECT_EQ(f[0], "t");
  EXPECT_EQ(f[19], "1391961");  // starttime (field 22)
  EXPECT_TRUE(HostStatFields("garbage").empty());
  EXPECT_TRUE(HostStatFields("1 (x)").empty());
}

TEST(ProcessInfoTest, RewriteStat) {
  std::string line = RewriteStat(kHostStat, View());
  std::vector<std::string> f = HostStatFields(line);
  ASSERT_EQ(f.size(), 50u) << line;
  EXPECT_EQ(line.rfind("7 (a (b) c) T 1 1 1 0 -1 4194304 ", 0), 0u) << line;  // t → T
  EXPECT_EQ(f[15], "25");                                                   // priority
  EXPECT_EQ(f[16], "5");                                                    // nice
  EXPECT_EQ(f[17], "2");                                                    // threads: host's
  EXPECT_EQ(f[19], "1391961");                                              // starttime: host's
  EXPECT_EQ(f[20], "3014656");                                              // vsize: host's
  EXPECT_EQ(f[22], "4096");                                                 // rsslim: virtual
  EXPECT_EQ(line.back(), '\n');
  GuestProcView reader = View();
  reader.running = true;
  EXPECT_EQ(HostStatFields(RewriteStat(kHostStat, reader))[0], "R");
  // A vanished host file still gives a well-formed line.
  EXPECT_EQ(HostStatFields(RewriteStat("", View())).size(), 50u);
}

TEST(ProcessInfoTest, GuestState) {
  EXPECT_EQ(GuestState('S', false), 'S');
  EXPECT_EQ(GuestState('S', true), 'R');
  EXPECT_EQ(GuestState('t', false), 'T');
  EXPECT_EQ(GuestState('Z', false), 'Z');
  EXPECT_EQ(GuestState('D', false), 'D');
}

TEST(ProcessInfoTest, RewriteStatus) {
  std::string host =
      "Name:\tstub\nUmask:\t0022\nState:\tt (tracing stop)\nTgid:\t5101\nNgid:\t0\n"
      "Pid:\t5101\nPPid:\t5100\nTracerPid:\t4000\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n"
      "FDSize:\t256\nGroups:\t \nNStgid:\t5101\t7\nNSpid:\t5101\t7\nNSpgid:\t5100\t1\n"
      "NSsid:\t5100\t1\nVmRSS:\t    1764 kB\nThreads:\t1\nSigBlk:\t0000000000010000\n"
      "CapPrm:\t0000000000000000\nCapBnd:\t000001ffffffffff\nSeccomp:\t2\n";
  std::string want =
      "Name:\ta (b) c\nUmask:\t0027\nState:\tT (stopped)\nTgid:\t7\nNgid:\t0\nPid:\t7\n"
      "PPid:\t1\nTracerPid:\t0\nUid:\t1000\t1000\t1000\t1000\nGid:\t100\t100\t100\t100\n"
      "FDSize:\t64\nGroups:\t100 27 \nNStgid:\t7\nNSpid:\t7\nNSpgid:\t1\nNSsid:\t1\n"
      "VmRSS:\t    1764 kB\nThreads:\t1\nSigBlk:\t0000000000010000\n"
      "CapPrm:\t0000000000000000\nCapBnd:\t000001ffffffffff\nSeccomp:\t2\n";
  EXPECT_EQ(RewriteStatus(host, View()), want);
  GuestProcView root = View();
  root.creds = {};
  root.id = 8;  // a thread's status
  std::string r = RewriteStatus(host, root);
  EXPECT_NE(r.find("CapPrm:\t000001ffffffffff\n"), std::string::npos) << r;
  EXPECT_NE(r.find("Groups:\t \n"), std::string::npos) << r;
  EXPECT_NE(r.find("\nPid:\t8\n"), std::string::npos) << r;
  EXPECT_NE(r.find("\nTgid:\t7\n"), std::string::npos) << r;
}

}  // namespace
}  // namespace sentry
