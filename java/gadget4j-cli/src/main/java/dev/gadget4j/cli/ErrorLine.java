package dev.gadget4j.cli;

import dev.gadget4j.BackendUnavailableException;
import dev.gadget4j.GadgetException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * What a user reads when a command fails: one line on stderr with the command, the operation,
 * the object (usually a path), the errno and what to do about it, and a non-zero exit status.
 * A stack trace is printed only with {@code GADGET4J_TRACE=1}, for bug reports.
 */
final class ErrorLine implements IExecutionExceptionHandler {
    /** Exit status of a command that failed on an error from the system or the library. */
    static final int FAILED = 1;

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
        System.err.println(format(cmd.getCommandName(), e));
        if ("1".equals(System.getenv("GADGET4J_TRACE"))) {
            e.printStackTrace();
        }
        return FAILED;
    }

    static String format(String command, Throwable e) {
        String line = "gadget4j " + command + ": " + message(e);
        String hint = hint(e);
        return hint.isEmpty() ? line : line + "; " + hint;
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.strip().replace('\n', ' ');
    }

    /** What to do, for the errors a user can fix whose message does not say it already (EEXIST's do). */
    static String hint(Throwable e) {
        if (e instanceof BackendUnavailableException) {
            return "see ./gadget4j backends";
        }
        if (!(e instanceof GadgetException g)) {
            return "";
        }
        return switch (g.errno()) {
            case EACCES, EPERM -> "run as root, or let root prepare the gadget for this user once:"
                    + " ./gadget4j setup --user " + System.getProperty("user.name", "USER");
            case EROFS -> "the directory is read-only: point the run directory elsewhere with GADGET4J_RUN_DIR=/some/dir"
                    + " (or -Dgadget4j.runDir=/some/dir)";
            case EBUSY -> "another gadget or process holds it: stop it and retry";
            case ENOENT -> "check that the kernel modules are loaded (./gadget4j backends)";
            default -> "";
        };
    }
}
