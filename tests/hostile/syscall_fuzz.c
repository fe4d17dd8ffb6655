/* A hostile guest: random syscalls with garbage and half-valid arguments, in forked batches
 * (each child has an alarm), to prove the sentry survives anything a guest can do. Runs ONLY
 * under the sentry: natively, as root, random syscalls could damage the host. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t rng_state;
static uint64_t Rand(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

/* Syscalls a batch must not make: they would end or stall the whole run rather than test
 * the sentry (the fuzzer killing its own parent, fork bombs, waits on random children). */
static int Excluded(long nr) {
  switch (nr) {
    case SYS_kill: case SYS_tkill: case SYS_tgkill: case SYS_rt_sigqueueinfo:
    case SYS_rt_tgsigqueueinfo: case SYS_clone: case SYS_fork: case SYS_vfork:
    case SYS_clone3: case SYS_exit: case SYS_exit_group: case SYS_vhangup:
    case SYS_setsid: case SYS_setpgid:
      return 1;
    default:
      return 0;
  }
}

static char scratch[1 << 16];

static uint64_t RandomArg(void) {
  switch (Rand() % 8) {
    case 0: return 0;
    case 1: return Rand() % 64;                                   /* small ints, fds */
    case 2: return (uint64_t)(scratch + Rand() % sizeof(scratch)); /* valid memory */
    case 3: return (uint64_t)-1 - Rand() % 4096;                   /* -errno-like */
    case 4: return 1ULL << (Rand() % 64);                          /* single bits: flags */
    case 5: return 0x7fffffffe000ULL + Rand() % 0x2000;            /* end of user space */
    case 6: return Rand() % 0x10000;                               /* null page */
    default: return Rand();
  }
}

static void Batch(int calls) {
  alarm(2);  /* anything that blocks too long ends this child, not the run */
  for (int i = 0; i < (int)sizeof(scratch); ++i) scratch[i] = (char)Rand();
  strcpy(scratch, "/tmp/fuzz");  /* a plausible path at the start of the buffer */
  for (int i = 0; i < calls; ++i) {
    long nr = (long)(Rand() % 470);
    if (Excluded(nr)) continue;
    syscall(nr, RandomArg(), RandomArg(), RandomArg(), RandomArg(), RandomArg(), RandomArg());
  }
  _exit(0);
}

int main(int argc, char** argv) {
  int seconds = argc > 1 ? atoi(argv[1]) : 10;
  rng_state = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x9e3779b97f4a7c15ULL;
  time_t end = time(NULL) + seconds;
  long batches = 0, signalled = 0;
  while (time(NULL) < end && batches < 2000) {
    uint64_t seed = Rand();
    pid_t pid = fork();
    if (pid < 0) {
      perror("fork");
      return 2;
    }
    if (pid == 0) {
      rng_state = seed | 1;
      Batch(200);
    }
    /* A batch may disarm its own alarm (random alarm/setitimer/sigprocmask calls): the
     * parent ends it after 3 s, which also exercises tasks killed inside a syscall. */
    int status = 0;
    pid_t got = 0;
    for (int waited_ms = 0; got == 0; waited_ms += 10) {
      got = waitpid(pid, &status, WNOHANG);
      if (got < 0) {
        perror("waitpid");
        return 3;
      }
      if (got == 0) {
        if (waited_ms == 3000) kill(pid, SIGKILL);
        struct timespec ten_ms = {0, 10 * 1000 * 1000};
        nanosleep(&ten_ms, NULL);
      }
    }
    ++batches;
    if (WIFSIGNALED(status)) ++signalled;
  }
  printf("fuzz: %ld batches of up to 200 random syscalls (%ld ended by a signal)\n", batches,
         signalled);
  return 0;
}
