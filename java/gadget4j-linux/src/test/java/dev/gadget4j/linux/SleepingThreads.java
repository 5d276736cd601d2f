package dev.gadget4j.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a thread of this JVM sleeps, as the kernel reports it ({@code /proc/self/task/TID}):
 * tests wait until a call they started is asleep in the kernel instead of sleeping for a while.
 */
final class SleepingThreads {
    /** futex on x86_64: the JVM's own waits (monitors, parking), not a call under test. */
    private static final String FUTEX = "202 ";

    private SleepingThreads() {
    }

    /**
     * Waits until the task of thread {@code t} (named {@code name}) sleeps in a system call other
     * than futex, and returns its kernel id; -1 when the thread ended first.
     */
    static int awaitAsleepInKernel(String name, Thread t) throws InterruptedException {
        String comm = name.length() > 15 ? name.substring(0, 15) : name;
        while (t.isAlive()) {
            try (var tasks = Files.list(Path.of("/proc/self/task"))) {
                for (Path task : (Iterable<Path>) tasks::iterator) {
                    try {
                        if (!Files.readString(task.resolve("comm")).strip().equals(comm)) {
                            continue;
                        }
                        String stat = Files.readString(task.resolve("stat"));
                        char state = stat.charAt(stat.lastIndexOf(')') + 2);
                        String sc = Files.readString(task.resolve("syscall")).strip();
                        if (state == 'S' && !sc.startsWith(FUTEX) && !sc.equals("running")) {
                            return Integer.parseInt(task.getFileName().toString());
                        }
                    } catch (IOException e) {
                        // the task went away meanwhile
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            Thread.sleep(20);
        }
        return -1;
    }

    /** The kernel id of this JVM's thread named {@code name} (its first 15 characters), or -1. */
    static int tidOf(String name) throws IOException {
        String comm = name.length() > 15 ? name.substring(0, 15) : name;
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    if (Files.readString(task.resolve("comm")).strip().equals(comm)) {
                        return Integer.parseInt(task.getFileName().toString());
                    }
                } catch (IOException e) {
                    // the task went away meanwhile
                }
            }
        }
        return -1;
    }

    /** The system call thread {@code tid} sleeps in ({@code NR ARG0 ...}), or why not ({@code running}). */
    static String syscall(int tid) {
        try {
            return Files.readString(Path.of("/proc/self/task/" + tid + "/syscall")).strip();
        } catch (IOException e) {
            return "gone";
        }
    }

    /** The number of this process's open file descriptor for {@code path}, or -1. */
    static int fdOf(String path) throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals(path)) {
                        return Integer.parseInt(fd.getFileName().toString());
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        return -1;
    }
}
