package dev.gadget4j.linux;

import dev.gadget4j.linux.sys.Constants;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A fake kernel file tree in a temporary directory that behaves like configfs where the order of
 * operations matters: making a gadget directory creates its default groups and attributes,
 * removing a directory removes its attributes and empty default groups but fails with ENOTEMPTY
 * while it still holds a symlink or a user-made directory. Mounts are recorded in a fake
 * /proc/mounts and create an {@code ep0} file. Every change is logged in order.
 */
class FakeSystem extends SystemFiles {
    private static final Set<String> DEFAULT_GROUPS = Set.of("strings", "configs", "functions", "os_desc", "webusb");
    final List<String> ops = new ArrayList<>();

    FakeSystem(Path root) {
        super(root);
        try {
            Files.createDirectories(resolve("/proc"));
            Files.createDirectories(resolve("/run"));
            if (!Files.exists(procMounts())) {
                Files.writeString(procMounts(), "");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String rel(Path p) {
        return "/" + root().relativize(p);
    }

    /** Makes the directories and files of a machine with configfs, functionfs, a UDC and udmabuf. */
    FakeSystem kernelReady() {
        try {
            Files.createDirectories(gadgets());
            Files.createDirectories(udcClass().resolve("dummy_udc.0"));
            Files.writeString(procFilesystems(), "nodev\tsysfs\nnodev\tconfigfs\nnodev\tfunctionfs\n");
            Files.createDirectories(udmabufDevice().getParent());
            Files.writeString(udmabufDevice(), "");
            Files.writeString(procMounts(), "configfs " + configfs() + " configfs rw 0 0\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    @Override
    void mkdir(Path dir) {
        super.mkdir(dir);
        ops.add("mkdir " + rel(dir));
        try {
            if (dir.getParent().equals(gadgets())) {
                for (String g : List.of("strings", "configs", "functions", "os_desc")) {
                    Files.createDirectory(dir.resolve(g));
                }
                for (String a : List.of("UDC", "idVendor", "idProduct", "bcdDevice", "max_speed")) {
                    Files.writeString(dir.resolve(a), "");
                }
            } else if (dir.getParent().getFileName().toString().equals("configs")) {
                Files.createDirectory(dir.resolve("strings"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    void mkdirs(Path dir) {
        super.mkdirs(dir);
        ops.add("mkdirs " + rel(dir));
    }

    @Override
    void remove(Path p) {
        if (Files.isDirectory(p) && !Files.isSymbolicLink(p)) {
            try (Stream<Path> s = Files.list(p)) {
                for (Path c : s.toList()) {
                    if (Files.isRegularFile(c, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        Files.delete(c);
                    } else if (Files.isDirectory(c, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                            && DEFAULT_GROUPS.contains(c.getFileName().toString()) && isEmpty(c)) {
                        Files.delete(c);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        super.remove(p);
        ops.add("rm " + rel(p));
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    @Override
    void symlink(Path link, Path target) {
        super.symlink(link, target);
        ops.add("symlink " + rel(link));
    }

    @Override
    void write(Path attribute, String value) {
        super.write(attribute, value);
        ops.add("write " + rel(attribute) + "=" + value.strip());
    }

    @Override
    int createFlag(Path attribute) {
        return Constants.O_CREAT | Constants.O_TRUNC;
    }

    @Override
    void mount(String source, Path target, String fstype, String options) {
        try {
            Files.writeString(target.resolve("ep0"), "");
            Files.writeString(procMounts(), source + " " + target + " " + fstype + " rw,relatime 0 0\n",
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ops.add("mount " + source + " " + rel(target) + (options == null ? "" : " " + options));
    }

    @Override
    void umount(Path target) {
        try {
            List<String> keep = new ArrayList<>();
            for (String l : Files.readAllLines(procMounts())) {
                if (!l.split(" ")[1].equals(target.toString())) {
                    keep.add(l);
                }
            }
            Files.write(procMounts(), keep);
            try (Stream<Path> s = Files.list(target)) {
                for (Path c : s.toList()) {
                    Files.delete(c);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ops.add("umount " + rel(target));
    }

    @Override
    boolean isRoot() {
        return false;
    }
}
