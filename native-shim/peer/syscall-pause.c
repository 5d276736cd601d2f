// syscall-pause PID TID FD: holds thread TID of process PID right after its close(FD), before
// it returns to user space, until told to go on. A VM test uses it to open a race window as
// wide as it needs, deterministically, without a pause point in the code under test: the other
// threads of the process run on meanwhile (ptrace attaches to the one thread only).
//
// Prints "attached" once the thread is traced and "paused" once close(FD) is complete with its
// effects (FunctionFS unbinds the gadget when ep0 is released). The release of the last
// reference runs as task work on the way back to user space, after the syscall-exit stop, so
// the thread is held at a signal-delivery stop instead: a signal (SIGURG) is sent to it at the
// syscall exit, and the kernel runs pending task work before it reports the signal. The signal
// is then suppressed. A line on stdin, or its end, lets the thread go on; exit status 0. Any
// other outcome (the thread exits, ptrace fails) prints a line on stderr and exits 1.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

static void die(const char *what, pid_t tid) {
    fprintf(stderr, "syscall-pause: %s (thread %d): %s\n", what, (int) tid, strerror(errno));
    exit(1);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: syscall-pause PID TID FD\n");
        return 2;
    }
    pid_t pid = (pid_t) atoi(argv[1]);
    pid_t tid = (pid_t) atoi(argv[2]);
    unsigned long long fd = strtoull(argv[3], NULL, 10);
    if (ptrace(PTRACE_SEIZE, tid, 0, PTRACE_O_TRACESYSGOOD) != 0) {
        die("PTRACE_SEIZE", tid);
    }
    if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) != 0) {
        die("PTRACE_INTERRUPT", tid);
    }
    printf("attached\n");
    fflush(stdout);
    int closing = 0;
    int closed = 0;
    int deliver = 0;
    while (1) {
        int status;
        if (waitpid(tid, &status, __WALL) < 0) {
            die("waitpid", tid);
        }
        if (!WIFSTOPPED(status)) {
            errno = 0;
            die("the thread ended", tid);
        }
        deliver = 0;
        if (WSTOPSIG(status) == (SIGTRAP | 0x80)) {
            struct __ptrace_syscall_info info;
            if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof info, &info) <= 0) {
                die("PTRACE_GET_SYSCALL_INFO", tid);
            }
            if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
                closing = !closed && info.entry.nr == SYS_close && info.entry.args[0] == fd;
            } else if (info.op == PTRACE_SYSCALL_INFO_EXIT && closing) {
                closing = 0;
                closed = 1;
                if (syscall(SYS_tgkill, pid, tid, SIGURG) != 0) {
                    die("tgkill", tid);
                }
            }
        } else if (status >> 16 == 0) {
            if (closed && WSTOPSIG(status) == SIGURG) {
                break;
            }
            // A signal for the thread (the JVM uses several): pass it on.
            deliver = WSTOPSIG(status);
        }
        if (ptrace(PTRACE_SYSCALL, tid, 0, deliver) != 0) {
            die("PTRACE_SYSCALL", tid);
        }
    }
    printf("paused\n");
    fflush(stdout);
    char line[16];
    if (fgets(line, sizeof line, stdin) == NULL) {
        // end of input: go on all the same
    }
    if (ptrace(PTRACE_DETACH, tid, 0, 0) != 0) { // signal 0: SIGURG is suppressed
        die("PTRACE_DETACH", tid);
    }
    return 0;
}
