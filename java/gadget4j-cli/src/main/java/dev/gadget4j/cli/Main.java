package dev.gadget4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./gadget4j}: the command line. */
@Command(name = "gadget4j", mixinStandardHelpOptions = true, version = "gadget4j 0.1.0",
        description = "Zero-copy USB gadget I/O for Java: FunctionFS and its DMABUF interface.",
        subcommands = {DemoCommand.class, SourceSinkCommand.class, BackendsCommand.class, SetupCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line as {@link #main} runs it: case-insensitive enums, failures as one {@link ErrorLine}. */
    static CommandLine commandLine() {
        return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler(new ErrorLine());
    }
}
