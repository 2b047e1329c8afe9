/*
 * profile-loader: loads a seccomp profile with libseccomp and reports what each listed call got,
 * so the kernel suite can compare the kernel's verdict with @sandtrap/seccomp-profile's evaluate().
 *
 * Usage: profile-loader FILE. FILE is line-oriented (the test writes it from a SeccompProfile, so
 * no JSON parser is needed here); tokens are separated by single spaces:
 *   default ACTION                       ACTION is ALLOW | LOG | TRAP | KILL_THREAD |
 *   rule NAME ACTION [argI OP VALUE [DATUM]]...   KILL_PROCESS | ERRNO N | TRACE N
 *   arch NAME                            another ABI in the filter (x86, x32 ...), after default
 *   call NAME [ARG]...                   up to six args, any strtoull base (0x.., decimal)
 *   call32 NAME [ARG]...                 x86_64 only: the i386 syscall through int 0x80
 * OP is EQ NE LT LE GE GT MASKED_EQ (MASKED_EQ takes the mask, then the datum).
 *
 * Each call runs in its own forked child: the child makes the call once unfiltered (baseline),
 * loads the filter (native arch only, libseccomp's defaults: no_new_privs, bad-arch KILL_THREAD),
 * makes the call again and writes both results to a pipe. write, exit and exit_group are allowed
 * by the loader itself so the child can report and leave: profiles must not name them.
 * Output, one line per call on stdout:
 *   {"call":0,"syscall":"getppid","baseRet":1,"baseErrno":0,"ret":-1,"errno":77,"signal":0}
 * `signal` is the signal that ended the child (SIGSYS for kill and trap actions), and then ret and
 * errno are 0. Exit 0 when every call ran, 2 on a usage, parse or libseccomp error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_LINE 4096
#define MAX_TOKENS 40

struct result {
  long base_ret;
  int base_errno;
  long ret;
  int err;
};

static void die(const char *what, const char *detail) {
  fprintf(stderr, "profile-loader: %s: %s\n", what, detail);
  exit(2);
}

static int split(char *line, char **tokens) {
  int n = 0;
  for (char *tok = strtok(line, " \n"); tok && n < MAX_TOKENS; tok = strtok(NULL, " \n")) tokens[n++] = tok;
  return n;
}

static uint64_t number(const char *text) {
  char *end;
  errno = 0;
  uint64_t value = strtoull(text, &end, 0);
  if (errno != 0 || *end != '\0') die("not a number", text);
  return value;
}

/* Reads ACTION [N] at tokens[*at], advancing *at. */
static uint32_t action(char **tokens, int count, int *at) {
  if (*at >= count) die("missing action", "");
  const char *name = tokens[(*at)++];
  if (strcmp(name, "ALLOW") == 0) return SCMP_ACT_ALLOW;
  if (strcmp(name, "LOG") == 0) return SCMP_ACT_LOG;
  if (strcmp(name, "TRAP") == 0) return SCMP_ACT_TRAP;
  if (strcmp(name, "KILL_THREAD") == 0) return SCMP_ACT_KILL_THREAD;
  if (strcmp(name, "KILL_PROCESS") == 0) return SCMP_ACT_KILL_PROCESS;
  if (strcmp(name, "ERRNO") == 0 || strcmp(name, "TRACE") == 0) {
    if (*at >= count) die("missing errno for", name);
    uint32_t data = (uint32_t)number(tokens[(*at)++]);
    return name[0] == 'E' ? SCMP_ACT_ERRNO(data) : SCMP_ACT_TRACE(data);
  }
  die("unknown action", name);
  return 0;
}

static enum scmp_compare operator(const char *name) {
  if (strcmp(name, "EQ") == 0) return SCMP_CMP_EQ;
  if (strcmp(name, "NE") == 0) return SCMP_CMP_NE;
  if (strcmp(name, "LT") == 0) return SCMP_CMP_LT;
  if (strcmp(name, "LE") == 0) return SCMP_CMP_LE;
  if (strcmp(name, "GE") == 0) return SCMP_CMP_GE;
  if (strcmp(name, "GT") == 0) return SCMP_CMP_GT;
  if (strcmp(name, "MASKED_EQ") == 0) return SCMP_CMP_MASKED_EQ;
  die("unknown operator", name);
  return SCMP_CMP_EQ;
}

static int resolve(const char *name) {
  int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR) die("unknown syscall", name);
  return nr;
}

static scmp_filter_ctx build(FILE *in) {
  char line[MAX_LINE];
  char *tokens[MAX_TOKENS];
  scmp_filter_ctx ctx = NULL;
  rewind(in);
  while (fgets(line, sizeof line, in)) {
    int count = split(line, tokens);
    if (count == 0) continue;
    int at = 1;
    if (strcmp(tokens[0], "default") == 0) {
      uint32_t def = action(tokens, count, &at);
      ctx = seccomp_init(def);
      if (!ctx) die("seccomp_init", "failed");
      const char *own[] = {"write", "exit", "exit_group"};
      /* libseccomp refuses a rule with the default's action (EACCES), as runc skips them. */
      for (size_t i = 0; i < 3 && def != SCMP_ACT_ALLOW; i++) {
        int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, resolve(own[i]), 0);
        if (rc != 0) die("seccomp_rule_add", strerror(-rc));
      }
    } else if (strcmp(tokens[0], "arch") == 0) {
      if (!ctx || count != 2) die("arch before default or without a name", tokens[0]);
      uint32_t arch = seccomp_arch_resolve_name(tokens[1]);
      if (arch == 0) die("unknown arch", tokens[1]);
      int rc = seccomp_arch_add(ctx, arch);
      if (rc != 0 && rc != -EEXIST) die("seccomp_arch_add", strerror(-rc));
    } else if (strcmp(tokens[0], "rule") == 0) {
      if (!ctx || count < 3) die("rule before default or too short", tokens[0]);
      int nr = resolve(tokens[at++]);
      uint32_t act = action(tokens, count, &at);
      struct scmp_arg_cmp cmps[6];
      unsigned int ncmp = 0;
      while (at < count) {
        if (ncmp == 6 || strncmp(tokens[at], "arg", 3) != 0 || at + 2 >= count) die("bad condition", tokens[at]);
        unsigned int index = (unsigned int)number(tokens[at] + 3);
        enum scmp_compare op = operator(tokens[at + 1]);
        uint64_t a = number(tokens[at + 2]);
        uint64_t b = 0;
        at += 3;
        if (op == SCMP_CMP_MASKED_EQ) {
          if (at >= count) die("MASKED_EQ needs mask and datum", "");
          b = number(tokens[at++]);
        }
        cmps[ncmp++] = (struct scmp_arg_cmp){.arg = index, .op = op, .datum_a = a, .datum_b = b};
      }
      int rc = seccomp_rule_add_array(ctx, act, nr, ncmp, cmps);
      if (rc != 0) die("seccomp_rule_add_array", strerror(-rc));
    }
  }
  if (!ctx) die("no default line", "");
  return ctx;
}

/* The i386 ABI from a 64-bit process: int 0x80 with arguments in ebx, ecx, edx, esi, edi, ebp. */
static long compat_syscall(int nr, uint64_t *args) {
#if defined(__x86_64__)
  long ret;
  register long ebp __asm__("rbp") = (long)(uint32_t)args[5];
  __asm__ volatile("int $0x80"
                   : "=a"(ret)
                   : "a"((long)nr), "b"((long)(uint32_t)args[0]), "c"((long)(uint32_t)args[1]),
                     "d"((long)(uint32_t)args[2]), "S"((long)(uint32_t)args[3]), "D"((long)(uint32_t)args[4]),
                     "r"(ebp)
                   : "memory", "r8", "r9", "r10", "r11");
  if (ret < 0 && ret > -4096) {
    errno = (int)-ret;
    return -1;
  }
  return ret;
#else
  (void)nr;
  (void)args;
  die("call32", "only on x86_64");
  return -1;
#endif
}

static long make_call(int compat, int nr, uint64_t *args) {
  if (compat) return compat_syscall(nr, args);
  return syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
}

static void run_call(const char *path, int index, const char *name, int compat, uint64_t *args) {
  int fds[2];
  if (pipe(fds) != 0) die("pipe", strerror(errno));
  int nr = compat ? seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86, name) : resolve(name);
  if (nr < 0) die("unknown syscall", name);
  fflush(stdout);
  pid_t child = fork();
  if (child < 0) die("fork", strerror(errno));
  if (child == 0) {
    close(fds[0]);
    struct result r = {0};
    errno = 0;
    r.base_ret = make_call(compat, nr, args);
    r.base_errno = r.base_ret == -1 ? errno : 0;
    FILE *own = fopen(path, "r"); /* its own open file, so the parent's read offset is untouched */
    if (!own) die(path, strerror(errno));
    scmp_filter_ctx ctx = build(own);
    int rc = seccomp_load(ctx);
    if (rc != 0) die("seccomp_load", strerror(-rc));
    errno = 0;
    r.ret = make_call(compat, nr, args);
    r.err = r.ret == -1 ? errno : 0;
    if (write(fds[1], &r, sizeof r) != (ssize_t)sizeof r) _exit(3);
    _exit(0);
  }
  close(fds[1]);
  struct result r = {0};
  ssize_t got = read(fds[0], &r, sizeof r);
  close(fds[0]);
  int status = 0;
  if (waitpid(child, &status, 0) != child) die("waitpid", strerror(errno));
  int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  if (!sig && (got != (ssize_t)sizeof r || WEXITSTATUS(status) != 0)) die("child failed for", name);
  if (sig) r.ret = 0, r.err = 0;
  printf("{\"call\":%d,\"syscall\":\"%s\",\"baseRet\":%ld,\"baseErrno\":%d,\"ret\":%ld,\"errno\":%d,\"signal\":%d}\n",
         index, name, r.base_ret, r.base_errno, r.ret, r.err, sig);
}

int main(int argc, char **argv) {
  if (argc != 2) die("usage", "profile-loader FILE");
  FILE *in = fopen(argv[1], "r");
  if (!in) die(argv[1], strerror(errno));
  scmp_filter_ctx check = build(in); /* fail early, before any child, on a bad profile */
  seccomp_release(check);
  char line[MAX_LINE];
  char *tokens[MAX_TOKENS];
  int index = 0;
  rewind(in);
  while (fgets(line, sizeof line, in)) {
    int count = split(line, tokens);
    if (count == 0) continue;
    int compat = strcmp(tokens[0], "call32") == 0;
    if (!compat && strcmp(tokens[0], "call") != 0) continue;
    if (count < 2 || count > 8) die("bad call line", tokens[0]);
    uint64_t args[6] = {0};
    for (int i = 2; i < count; i++) args[i - 2] = number(tokens[i]);
    run_call(argv[1], index++, tokens[1], compat, args);
  }
  return 0;
}
