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
import java.util.regex.Pattern;
import org.junit.platform.engine.FilterResult;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.ClassNameFilter;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.PostDiscoveryFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs the conformance suite on a backend from the command line:
 * {@code ConformanceMain [--backend NAME] [--dmabuf SOURCE] [--cases FILE] [--exclude REGEX]} (or, with
 * {@code --package} and {@code --include}, other JUnit classes on the class path, such as the Linux
 * backend's VM-only tests). {@code --exclude} leaves out the cases whose {@code Class.method} name
 * matches, and names them before the run. Prints one line per case and a closing
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
        String exclude = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--backend" -> System.setProperty(Backends.PROPERTY, args[++i]);
                case "--dmabuf" -> System.setProperty(DmaBufSource.PROPERTY, DmaBufSource.parse(args[++i]).toString());
                case "--cases" -> cases = Path.of(args[++i]);
                case "--package" -> pkg = args[++i];
                case "--include" -> include = args[++i];
                case "--exclude" -> exclude = args[++i];
                default -> {
                    System.err.println("usage: ConformanceMain [--backend NAME] [--dmabuf SOURCE] [--cases FILE]"
                            + " [--exclude REGEX] [--package P --include REGEX]");
                    System.exit(2);
                }
            }
        }
        System.out.println("running " + pkg + " " + include + " on backend: " + Fixture.current().name()
                + ", DMABUFs from " + DmaBufSource.configured());
        System.exit(run(pkg, include, exclude, cases, new PrintWriter(System.out, true)));
    }

    /**
     * Runs every case of the classes in {@code pkg} whose names match {@code include}, but those
     * whose {@code Class.method} matches {@code exclude} (null: none), which it names; returns the
     * exit status. A case that aborts (a failed assumption) counts as failed: here, where the
     * backend is chosen on purpose, nothing may quietly skip.
     */
    public static int run(String pkg, String include, String exclude, Path casesFile, PrintWriter out) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectPackage(pkg))
                .filters(ClassNameFilter.includeClassNamePatterns(include), leaveOut(exclude, out))
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

    /** The filter of {@code --exclude}: it prints each case it leaves out. */
    private static PostDiscoveryFilter leaveOut(String exclude, PrintWriter out) {
        Pattern p = exclude == null ? null : Pattern.compile(exclude);
        return descriptor -> {
            if (p != null && descriptor.getSource().orElse(null) instanceof MethodSource m) {
                String name = m.getJavaClass().getSimpleName() + "." + m.getMethodName();
                if (p.matcher(name).matches()) {
                    out.println("left out (--exclude): " + name);
                    return FilterResult.excluded("--exclude " + exclude);
                }
            }
            return FilterResult.included(null);
        };
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
