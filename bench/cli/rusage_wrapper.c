/* rusage_wrapper: stands in for a provider binary so that bench/cli/run.py can measure every
 * provider process a Terraform or OpenTofu command starts.
 *
 *   BENCH_REAL_PROVIDER=/path/to/terraform-provider-x   the binary to run
 *   BENCH_RUSAGE_FILE=/path/to/file                      where to append one line per process
 *
 * It forks and execs the real provider with the same arguments, environment and standard
 * streams (so the go-plugin handshake line reaches the CLI unchanged), forwards the signals a
 * CLI or a terminal sends, waits, and appends the child's resource usage as one line:
 *
 *   <pid> <user seconds> <system seconds> <max RSS KiB> <exit status or 128+signal>
 *
 * with a single write(2) on an O_APPEND descriptor, so concurrent processes never interleave.
 * It then exits as the child did. It writes nothing to stdout or stderr.
 *
 *   cc -O2 -o terraform-provider-bench rusage_wrapper.c      (run.py does this)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t child_pid = 0;

static void forward(int sig) {
  if (child_pid > 0) kill((pid_t)child_pid, sig);
}

static double seconds(struct timeval tv) { return (double)tv.tv_sec + (double)tv.tv_usec / 1e6; }

int main(int argc, char** argv) {
  (void)argc;
  const char* real = getenv("BENCH_REAL_PROVIDER");
  const char* out = getenv("BENCH_RUSAGE_FILE");
  if (real == NULL || real[0] == '\0') {
    static const char msg[] = "rusage_wrapper: BENCH_REAL_PROVIDER is not set\n";
    (void)!write(2, msg, sizeof msg - 1);
    return 127;
  }

  /* Handlers go in before fork, so a signal that arrives between fork and the assignment of
   * child_pid is not lost to the default action (it is then simply not forwarded). */
  const int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = forward;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; ++i)
    sigaction(forwarded[i], &sa, NULL);

  pid_t pid = fork();
  if (pid < 0) {
    perror("rusage_wrapper: fork");
    return 127;
  }
  if (pid == 0) {
    /* The child starts with default dispositions (exec resets handled signals to default). */
    argv[0] = (char*)real;
    execv(real, argv);
    perror("rusage_wrapper: exec");
    _exit(127);
  }
  child_pid = pid;

  int status = 0;
  struct rusage ru;
  memset(&ru, 0, sizeof ru);
  while (wait4(pid, &status, 0, &ru) < 0) {
    if (errno != EINTR) {
      perror("rusage_wrapper: wait4");
      return 127;
    }
  }
  const int code = WIFEXITED(status)     ? WEXITSTATUS(status)
                   : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                         : 127;

  if (out != NULL && out[0] != '\0') {
    char line[160];
    const int n = snprintf(line, sizeof line, "%ld %.6f %.6f %ld %d\n", (long)pid,
                           seconds(ru.ru_utime), seconds(ru.ru_stime), ru.ru_maxrss, code);
    const int fd = open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0 && n > 0) {
      (void)!write(fd, line, (size_t)n);
      close(fd);
    }
  }

  if (WIFSIGNALED(status)) {
    /* Die the same way, so the CLI sees what it would have seen without the wrapper. */
    const int sig = WTERMSIG(status);
    signal(sig, SIG_DFL);
    raise(sig);
  }
  return code;
}
