package dev.gadget4j.conformance;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import dev.gadget4j.Backends;
import dev.gadget4j.DmaBufSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.ClassNameFilter;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs the conformance suite on a backend from the command line:
 * {@code ConformanceMain [--backend NAME] [--dmabuf SOURCE] [--cases FILE]} (or, with {@code --package} and
 * {@code --include}, other JUnit classes on the class path, such as the Linux backend's VM-only tests). Prints one line per case and a closing
 * "N passed, N failed" line; {@code --cases} writes the sorted case names, so that runs on two
 * backends can be compared. {@code --dmabuf} ({@code udmabuf}, {@code system}, {@code cma},
 * {@code heap:NAME}) sets {@link DmaBufSource#PROPERTY}, so that every case's
 * {@code backend.dmaBufs()} allocates from that source. Exits non-zero if any case failed or none ran.
 */
public final class ConformanceMain {
    private ConformanceMain() {
    }

    public static void main(String[] args) {
        Path cases = null;
        String pkg = ConformanceMain.class.getPackageName();
        String include = ".*ConformanceTest";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--backend" -> System.setProperty(Backends.PROPERTY, args[++i]);
                case "--dmabuf" -> System.setProperty(DmaBufSource.PROPERTY, DmaBufSource.parse(args[++i]).toString());
                case "--cases" -> cases = Path.of(args[++i]);
                case "--package" -> pkg = args[++i];
                case "--include" -> include = args[++i];
                default -> {
                    System.err.println("usage: ConformanceMain [--backend NAME] [--dmabuf SOURCE] [--cases FILE]"
                            + " [--package P --include REGEX]");
                    System.exit(2);
                }
            }
        }
        System.out.println("running " + pkg + " " + include + " on backend: " + Fixture.current().name()
                + ", DMABUFs from " + DmaBufSource.configured());
        System.exit(run(pkg, include, cases, new PrintWriter(System.out, true)));
    }

    /**
     * Runs every case of the classes in {@code pkg} whose names match {@code include}; returns the
     * exit status. A case that aborts (a failed assumption) counts as failed: here, where the
     * backend is chosen on purpose, nothing may quietly skip.
     */
    public static int run(String pkg, String include, Path casesFile, PrintWriter out) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectPackage(pkg))
                .filters(ClassNameFilter.includeClassNamePatterns(include))
                .build();
        List<String> names = new ArrayList<>();
        int[] counts = new int[3];
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (!id.isTest()) {
                    if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                        counts[1]++;
                        out.println("FAIL  " + id.getDisplayName() + " (container): "
                                + result.getThrowable().map(Throwable::toString).orElse(""));
                    }
                    return;
                }
                String name = className(id) + "." + id.getDisplayName().replace("()", "");
                names.add(name);
                if (result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                    counts[0]++;
                    out.println("ok    " + name);
                } else {
                    counts[1]++;
                    out.println("FAIL  " + name + ": " + result.getThrowable().map(Throwable::toString).orElse(""));
                    result.getThrowable().ifPresent(t -> t.printStackTrace(out));
                }
            }

            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                counts[2]++;
                out.println("skip  " + id.getDisplayName() + ": " + reason);
            }
        });
        if (casesFile != null) {
            try {
                Files.write(casesFile, names.stream().sorted().toList());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        out.println(counts[0] + " passed, " + counts[1] + " failed, " + counts[2] + " skipped");
        return counts[1] == 0 && counts[0] > 0 ? 0 : 1;
    }

    private static String className(TestIdentifier id) {
        String uid = id.getUniqueId();
        int i = uid.indexOf("[class:");
        if (i < 0) {
            return "";
        }
        String cls = uid.substring(i + 7, uid.indexOf(']', i));
        return cls.substring(cls.lastIndexOf('.') + 1);
    }
}
