package dev.gadget4j.linux.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Compiles {@code native-shim/layout/layout-check.c} against the 6.12 uapi headers, runs it, and
 * compares every line it prints (sizes, alignments, offsets and sizes of members, ioctl numbers,
 * flags, AIO syscall numbers) with the same values computed from the Java side. Both directions
 * count: a struct or constant known to only one side is a failure too.
 *
 * <p>Headers: system property {@code gadget4j.uapi.headers} (a directory with {@code include/}),
 * else whatever {@code qemu-images/uapi-headers} prints. Without headers or gcc the test is skipped
 * and says why.
 */
class LayoutCrossCheckTest {
    private static final List<Class<?>> ABI_CLASSES =
            List.of(FunctionFsAbi.class, DmaBufAbi.class, UsbfsAbi.class, IoAbi.class);

    @Test
    void javaLayoutsAndConstantsMatchTheKernelHeaders() throws Exception {
        Path root = Path.of(System.getProperty("gadget4j.repo.root", "../..")).toAbsolutePath().normalize();
        Path source = root.resolve("native-shim/layout/layout-check.c");
        assumeTrue(Files.isRegularFile(source), source + " not found (run through Maven, or set gadget4j.repo.root to"
                + " the checkout): layout cross-check skipped");
        Path headers = headers(root);
        assumeTrue(run(List.of("gcc", "--version"), 60).exit == 0, "gcc is not installed: layout cross-check skipped");

        Path buildDir = Path.of(System.getProperty("gadget4j.build.dir", System.getProperty("java.io.tmpdir")));
        Files.createDirectories(buildDir);
        Path binary = buildDir.resolve("layout-check");
        // The 6.12 include dir goes first: the system's linux-libc-dev may be older and lack the DMABUF ioctls.
        Result cc = run(List.of("gcc", "-std=gnu11", "-Wall", "-Werror", "-I", headers.resolve("include").toString(),
                "-o", binary.toString(), source.toString()), 120);
        assertEquals(0, cc.exit, "compiling " + source + " against " + headers + " failed:\n" + cc.output);
        Result out = run(List.of(binary.toString()), 60);
        assertEquals(0, out.exit, out.output);

        Map<String, String> c = new TreeMap<>();
        for (String line : out.output.split("\n")) {
            if (!line.isBlank()) {
                String[] kv = line.trim().split(" ");
                c.put(kv[0], kv[1]);
            }
        }
        Map<String, String> java = javaSide();
        List<String> diffs = new ArrayList<>();
        for (var e : c.entrySet()) {
            String j = java.get(e.getKey());
            if (j == null) {
                diffs.add(e.getKey() + ": C says " + e.getValue() + ", Java has nothing");
            } else if (!j.equals(e.getValue())) {
                diffs.add(e.getKey() + ": C says " + e.getValue() + ", Java says " + j);
            }
        }
        for (var e : java.entrySet()) {
            if (!c.containsKey(e.getKey())) {
                diffs.add(e.getKey() + ": Java says " + e.getValue() + ", layout-check.c prints nothing");
            }
        }
        if (!diffs.isEmpty()) {
            fail(diffs.size() + " of " + c.size() + " lines differ from the headers in " + headers + ":\n  "
                    + String.join("\n  ", diffs));
        }
        assertTrue(c.size() > 300, "only " + c.size() + " lines compared");
    }

    /** The lines layout-check.c prints, computed from the Java layouts and constants. */
    static Map<String, String> javaSide() throws IllegalAccessException {
        Map<String, String> m = new TreeMap<>();
        for (Class<?> abi : ABI_CLASSES) {
            for (Class<?> nested : abi.getDeclaredClasses()) {
                for (Field f : nested.getDeclaredFields()) {
                    if (f.getName().equals("LAYOUT") && Modifier.isStatic(f.getModifiers())) {
                        describe((StructLayout) f.get(null), m);
                    }
                }
            }
        }
        Ioctl.all().forEach((name, value) -> m.put("ioctl." + name, Long.toUnsignedString(value)));
        for (Field f : Constants.class.getDeclaredFields()) {
            if (Modifier.isPublic(f.getModifiers()) && Modifier.isStatic(f.getModifiers())) {
                m.put("const." + f.getName(), String.valueOf(((Number) f.get(null)).longValue()));
            }
        }
        m.put("const.USBDEVFS_MAXDRIVERNAME", String.valueOf(UsbfsAbi.MAXDRIVERNAME));
        Arch arch = Arch.current();
        m.put("sys.io_setup", String.valueOf(arch.ioSetup));
        m.put("sys.io_destroy", String.valueOf(arch.ioDestroy));
        m.put("sys.io_getevents", String.valueOf(arch.ioGetevents));
        m.put("sys.io_submit", String.valueOf(arch.ioSubmit));
        m.put("sys.io_cancel", String.valueOf(arch.ioCancel));
        return m;
    }

    private static void describe(StructLayout layout, Map<String, String> m) {
        String name = layout.name().orElseThrow();
        m.put("sizeof." + name, String.valueOf(layout.byteSize()));
        m.put("alignof." + name, String.valueOf(layout.byteAlignment()));
        for (MemoryLayout member : layout.memberLayouts()) {
            if (member.name().isEmpty()) {
                continue; // padding
            }
            String field = member.name().get();
            m.put("offsetof." + name + "." + field,
                    String.valueOf(layout.byteOffset(MemoryLayout.PathElement.groupElement(field))));
            boolean flexible = member instanceof SequenceLayout s && s.elementCount() == 0;
            if (!flexible) {
                m.put("fieldsize." + name + "." + field, String.valueOf(member.byteSize()));
            }
        }
    }

    private static Path headers(Path root) throws Exception {
        String configured = System.getProperty("gadget4j.uapi.headers", "").trim();
        if (!configured.isEmpty()) {
            Path dir = Path.of(configured);
            assertTrue(Files.isDirectory(dir.resolve("include/linux")),
                    "gadget4j.uapi.headers=" + configured + " has no include/linux");
            return dir;
        }
        Path script = root.resolve("qemu-images/uapi-headers");
        assumeTrue(Files.isExecutable(script), "no 6.12 uapi headers: gadget4j.uapi.headers is empty and "
                + script + " does not exist; layout cross-check skipped");
        Result r = run(List.of(script.toString()), 1800);
        String[] lines = r.stdout.strip().split("\n");
        String last = lines[lines.length - 1].strip();
        assumeTrue(r.exit == 0 && !last.isEmpty() && Files.isDirectory(Path.of(last, "include/linux")),
                "no 6.12 uapi headers: " + script + " exited " + r.exit + " printing '" + last
                        + "'; layout cross-check skipped. Its output:\n" + tail(r.output));
        return Path.of(last);
    }

    private static String tail(String s) {
        return s.length() <= 2000 ? s : "..." + s.substring(s.length() - 2000);
    }

    private record Result(int exit, String stdout, String output) {
    }

    /** Runs a command: exit code, stdout alone, and stdout + stderr for messages; exit -1 if it cannot start. */
    private static Result run(List<String> command, long timeoutSeconds) throws InterruptedException {
        Path err;
        try {
            err = Files.createTempFile("gadget4j-layout", ".err");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        try {
            Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, stdout, command + " timed out after " + timeoutSeconds + " s");
            }
            String stderr = Files.readString(err);
            return new Result(p.exitValue(), stdout, stdout + stderr);
        } catch (IOException e) {
            return new Result(-1, "", command.getFirst() + ": " + e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(err);
            } catch (IOException e) {
                // a stray temp file is not worth failing the check for
            }
        }
    }
}
