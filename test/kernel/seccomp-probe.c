/*
 * seccomp-probe: makes real seccomp events on this kernel for the kernel test suites.
 *
 * Usage: seccomp-probe MODE [--repeat N] [--linger-ms MS]
 *   allow      no filter; calls the probe syscalls (baseline, nothing should be reported)
 *   log        SECCOMP_RET_LOG on getppid (audited, the call still runs)
 *   errno      SECCOMP_RET_ERRNO|EPERM on personality, no LOG flag (never audited)
 *   errno-thread  as errno, but the denied call is made from a second thread (tid != pid)
 *   errno-log  SECCOMP_RET_ERRNO|EPERM on uname with SECCOMP_FILTER_FLAG_LOG (audited)
 *   kill       SECCOMP_RET_KILL_PROCESS on getpgid, in a forked child (SIGSYS, audited)
 *   kill-thread  SECCOMP_RET_KILL_THREAD on getpgid, in a forked single-threaded child: the last
 *              thread, so the kernel kills the process with SIGSYS (audited with code=0x0)
 *   trap       SECCOMP_RET_TRAP on getsid; a SIGSYS handler catches it (not audited)
 *
 * Each mode also makes allowed calls (one that succeeds and one that fails with its own
 * EBADF) so tests can check that the sensor reports the denial and nothing else.
 *
 * Output: one JSON object per line and per call made, on stdout:
 *   {"mode":"errno","pid":1,"tid":1,"arch":"x86_64","syscall":"personality","nr":135,
 *    "expected":"errno","ret":-1,"errno":1,"signal":0}
 * `expected` is the seccomp action the filter applies
 * (allow|log|errno|kill_process|kill_thread|trap).
 * For kill the line is printed by the parent after waitpid: pid/tid are the child's, `signal`
 * is the signal that ended it (31, SIGSYS). For trap, `signal` is the SIGSYS the handler caught
 * and `nr` is checked against si_syscall.
 * The last line is {"mode":...,"done":true,"calls":N}. Exit status 0 when every call behaved as
 * expected, 1 otherwise, 2 on a usage or setup error.
 *
 * No libseccomp: a raw classic-BPF filter through the seccomp(2) syscall, with no_new_privs so
 * it also works without CAP_SYS_ADMIN.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__x86_64__)
#define PROBE_AUDIT_ARCH AUDIT_ARCH_X86_64
#define PROBE_ARCH_NAME "x86_64"
#elif defined(__aarch64__)
#define PROBE_AUDIT_ARCH AUDIT_ARCH_AARCH64
#define PROBE_ARCH_NAME "aarch64"
#elif defined(__i386__)
#define PROBE_AUDIT_ARCH AUDIT_ARCH_I386
#define PROBE_ARCH_NAME "i386"
#else
#error "seccomp-probe: add this architecture's AUDIT_ARCH"
#endif

#ifndef SECCOMP_FILTER_FLAG_LOG
#define SECCOMP_FILTER_FLAG_LOG (1UL << 1)
#endif
#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#endif
#ifndef SECCOMP_RET_LOG
#define SECCOMP_RET_LOG 0x7ffc0000U
#endif
#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1
#endif

static const char *mode;
static int calls;
static int failures;

static pid_t current_tid(void) { return (pid_t)syscall(SYS_gettid); }

static void report(pid_t pid, pid_t tid, const char *name, long nr, const char *expected, long ret,
                   int err, int sig, int ok) {
  printf("{\"mode\":\"%s\",\"pid\":%d,\"tid\":%d,\"arch\":\"%s\",\"syscall\":\"%s\",\"nr\":%ld,"
         "\"expected\":\"%s\",\"ret\":%ld,\"errno\":%d,\"signal\":%d}\n",
         mode, (int)pid, (int)tid, PROBE_ARCH_NAME, name, nr, expected, ret, err, sig);
  fflush(stdout);
  calls++;
  if (!ok) {
    fprintf(stderr, "seccomp-probe: %s (%ld) did not behave as %s: ret=%ld errno=%d signal=%d\n",
            name, nr, expected, ret, err, sig);
    failures++;
  }
}

/* Installs: if arch is ours and nr == target, return action; otherwise allow. */
static void install_filter(long target, unsigned int action, unsigned int flags) {
  struct sock_filter code[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PROBE_AUDIT_ARCH, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned int)target, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, action),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {.len = sizeof(code) / sizeof(code[0]), .filter = code};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    perror("seccomp-probe: PR_SET_NO_NEW_PRIVS");
    exit(2);
  }
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog) != 0) {
    perror("seccomp-probe: seccomp(SECCOMP_SET_MODE_FILTER)");
    exit(2);
  }
}

/* A call that runs and fails on its own (EBADF): the sensor sees its entry and must stay quiet. */
static void allowed_failing_call(void) {
  errno = 0;
  long ret = syscall(SYS_close, -1);
  int err = errno;
  report(getpid(), current_tid(), "close", SYS_close, "allow", ret, err, 0, ret == -1 && err == EBADF);
}

static void allowed_call(void) {
  errno = 0;
  long ret = syscall(SYS_getppid);
  int err = errno;
  report(getpid(), current_tid(), "getppid", SYS_getppid, "allow", ret, err, 0, ret > 0);
}

static void denied_personality(void) {
  errno = 0;
  long ret = syscall(SYS_personality, 0xffffffffUL);
  int err = errno;
  report(getpid(), current_tid(), "personality", SYS_personality, "errno", ret, err, 0,
         ret == -1 && err == EPERM);
}

static void *denied_personality_thread(void *arg) {
  int repeat = *(int *)arg;
  for (int i = 0; i < repeat; i++) denied_personality();
  return NULL;
}

static volatile sig_atomic_t trapped_signo;
static volatile sig_atomic_t trapped_code;
static volatile long trapped_syscall;

static void on_sigsys(int signo, siginfo_t *info, void *context) {
  (void)context;
  trapped_signo = signo;
  trapped_code = info->si_code;
  trapped_syscall = info->si_syscall;
}

static void run_kill(int repeat, unsigned int action, const char *expected) {
  for (int i = 0; i < repeat; i++) {
    pid_t child = fork();
    if (child < 0) {
      perror("seccomp-probe: fork");
      exit(2);
    }
    if (child == 0) {
      /* No core file: KILL_PROCESS dumps core by default. */
      struct rlimit no_core = {0, 0};
      setrlimit(RLIMIT_CORE, &no_core);
      install_filter(SYS_getpgid, action, 0);
      syscall(SYS_getpgid, 0);
      _exit(0); /* Not reached when the filter works. */
    }
    int status = 0;
    if (waitpid(child, &status, 0) != child) {
      perror("seccomp-probe: waitpid");
      exit(2);
    }
    int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    report(child, child, "getpgid", SYS_getpgid, expected, -1, 0, sig, sig == SIGSYS);
  }
}

static void run_trap(int repeat) {
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_sigaction = on_sigsys;
  sa.sa_flags = SA_SIGINFO;
  if (sigaction(SIGSYS, &sa, NULL) != 0) {
    perror("seccomp-probe: sigaction");
    exit(2);
  }
  install_filter(SYS_getsid, SECCOMP_RET_TRAP, 0);
  for (int i = 0; i < repeat; i++) {
    trapped_signo = 0;
    trapped_code = 0;
    trapped_syscall = -1;
    /* The call is skipped; its return value is whatever the registers hold after rollback. */
    long ret = syscall(SYS_getsid, 0);
    int ok = trapped_signo == SIGSYS && trapped_code == SYS_SECCOMP && trapped_syscall == SYS_getsid;
    report(getpid(), current_tid(), "getsid", SYS_getsid, "trap", ret, 0, trapped_signo, ok);
  }
}

/* Parses "--repeat N" and "--linger-ms N" (each at most once, any order); -1 on garbage. */
static int parse_options(int argc, char **argv, int *repeat, int *linger_ms) {
  *repeat = 1;
  *linger_ms = 0;
  int seen_repeat = 0, seen_linger = 0;
  for (int i = 2; i < argc; i += 2) {
    if (i + 1 >= argc) return -1;
    char *end = NULL;
    long n = strtol(argv[i + 1], &end, 10);
    if (end == argv[i + 1] || *end != '\0') return -1;
    if (strcmp(argv[i], "--repeat") == 0 && !seen_repeat && n >= 1 && n <= 1000000) {
      *repeat = (int)n;
      seen_repeat = 1;
    } else if (strcmp(argv[i], "--linger-ms") == 0 && !seen_linger && n >= 0 && n <= 600000) {
      *linger_ms = (int)n;
      seen_linger = 1;
    } else {
      return -1;
    }
  }
  return 0;
}

int main(int argc, char **argv) {
  int repeat = 1, linger_ms = 0;
  if (argc < 2 || parse_options(argc, argv, &repeat, &linger_ms) != 0) {
    fprintf(stderr,
            "usage: seccomp-probe allow|log|errno|errno-thread|errno-log|kill|kill-thread|trap [--repeat N] [--linger-ms MS]\n");
    return 2;
  }
  mode = argv[1];

  if (strcmp(mode, "allow") == 0) {
    for (int i = 0; i < repeat; i++) {
      allowed_call();
      allowed_failing_call();
    }
  } else if (strcmp(mode, "log") == 0) {
    install_filter(SYS_getppid, SECCOMP_RET_LOG, 0);
    for (int i = 0; i < repeat; i++) {
      errno = 0;
      long ret = syscall(SYS_getppid);
      int err = errno;
      report(getpid(), current_tid(), "getppid", SYS_getppid, "log", ret, err, 0, ret > 0);
    }
    allowed_failing_call();
  } else if (strcmp(mode, "errno") == 0) {
    install_filter(SYS_personality, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA), 0);
    allowed_call();
    for (int i = 0; i < repeat; i++) denied_personality();
    allowed_failing_call();
  } else if (strcmp(mode, "errno-thread") == 0) {
    install_filter(SYS_personality, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA), 0);
    allowed_call();
    pthread_t thread;
    if (pthread_create(&thread, NULL, denied_personality_thread, &repeat) != 0 ||
        pthread_join(thread, NULL) != 0) {
      fprintf(stderr, "seccomp-probe: pthread failed\n");
      return 2;
    }
    allowed_failing_call();
  } else if (strcmp(mode, "errno-log") == 0) {
    install_filter(SYS_uname, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA), SECCOMP_FILTER_FLAG_LOG);
    allowed_call();
    for (int i = 0; i < repeat; i++) {
      char buf[512];
      errno = 0;
      long ret = syscall(SYS_uname, buf);
      int err = errno;
      report(getpid(), current_tid(), "uname", SYS_uname, "errno", ret, err, 0,
             ret == -1 && err == EPERM);
    }
    allowed_failing_call();
  } else if (strcmp(mode, "kill") == 0) {
    allowed_call();
    run_kill(repeat, SECCOMP_RET_KILL_PROCESS, "kill_process");
  } else if (strcmp(mode, "kill-thread") == 0) {
    allowed_call();
    run_kill(repeat, SECCOMP_RET_KILL_THREAD, "kill_thread");
  } else if (strcmp(mode, "trap") == 0) {
    allowed_call();
    run_trap(repeat);
  } else {
    fprintf(stderr, "seccomp-probe: unknown mode %s\n", mode);
    return 2;
  }

  printf("{\"mode\":\"%s\",\"done\":true,\"calls\":%d}\n", mode, calls);
  fflush(stdout);
  /* Stay alive a while, like a real process that carries on after a denial (its /proc stays). */
  if (linger_ms > 0) usleep((useconds_t)linger_ms * 1000);
  return failures == 0 ? 0 : 1;
}
