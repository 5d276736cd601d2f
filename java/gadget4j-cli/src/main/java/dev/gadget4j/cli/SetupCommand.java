package dev.gadget4j.cli;

import dev.gadget4j.GadgetSpec;
import dev.gadget4j.linux.GadgetSetup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * As root, prepares the source/sink gadget for an unprivileged user (or removes it): after it,
 * {@code ./gadget4j sourcesink} runs as that user.
 */
@Command(name = "setup", mixinStandardHelpOptions = true,
        description = {"As root: compose the sourcesink gadget and hand its FunctionFS instance, its UDC attribute and"
                + " /dev/udmabuf (and /dev/dma_heap/system) to USER, so that `./gadget4j sourcesink` runs as USER.",
                "--remove tears it down and gives the devices back."})
final class SetupCommand implements Callable<Integer> {
    @Option(names = "--user", required = true, paramLabel = "USER",
            description = "The driver's user: a name from /etc/passwd, or UID[:GID] (GID defaults to UID).")
    String user;

    @Option(names = "--remove", description = "Remove the prepared gadget and give the devices back.")
    boolean remove;

    @Override
    public Integer call() throws IOException {
        GadgetSpec spec = SourceSinkCommand.spec();
        GadgetSetup setup = new GadgetSetup();
        if (remove) {
            setup.remove(spec.name());
            System.out.println("setup: removed gadget " + spec.name());
            return 0;
        }
        int[] ids = ids(user, Files.readAllLines(Path.of("/etc/passwd")));
        List<Path> mounts = setup.prepare(spec, ids[0], ids[1]);
        System.out.println("setup: gadget " + spec.name() + " prepared for uid " + ids[0] + " gid " + ids[1]
                + ", FunctionFS at " + mounts + "; run ./gadget4j sourcesink as that user");
        return 0;
    }

    /** uid and gid of {@code user}: UID[:GID] or a name looked up in passwd lines. */
    static int[] ids(String user, List<String> passwd) {
        if (user.matches("\\d+(:\\d+)?")) {
            String[] f = user.split(":");
            int uid = Integer.parseInt(f[0]);
            return new int[] {uid, f.length > 1 ? Integer.parseInt(f[1]) : uid};
        }
        for (String line : passwd) {
            String[] f = line.split(":");
            if (f.length > 3 && f[0].equals(user)) {
                return new int[] {Integer.parseInt(f[2]), Integer.parseInt(f[3])};
            }
        }
        throw new IllegalArgumentException("no user '" + user + "' in /etc/passwd; give UID[:GID] instead");
    }
}
