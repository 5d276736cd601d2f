package dev.gadget4j.linux;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.GadgetSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A gadget's configfs tree ({@code usb_gadget/NAME}) and the FunctionFS mounts of its functions:
 * composition, and teardown in the order configfs insists on (unbind, unmount, configuration
 * symlinks, configuration strings, configurations, functions, gadget strings, the gadget).
 *
 * <p>Teardown works from what is on disk, not from what this process created, so that it also
 * clears a tree left behind by a process that was killed.
 */
final class ConfigFsTree {
    /**
     * The longest FunctionFS instance name: configfs refuses a function directory name
     * ({@code ffs.INSTANCE}) of 40 characters or more, so 39 - "ffs.".length().
     */
    static final int MAX_INSTANCE_NAME = 35;
    static final String CONFIG = "c.1";
    static final String LANG = "0x409";

    private final SystemFiles files;
    private final String name;

    ConfigFsTree(SystemFiles files, String name) {
        this.files = files;
        this.name = name;
    }

    Path dir() {
        return files.gadgets().resolve(name);
    }

    Path udcFile() {
        return dir().resolve("UDC");
    }

    /**
     * The FunctionFS instance name ({@code ffs.INSTANCE}, also the mount source). Instance names
     * are global across gadgets, so the gadget's name is part of it; long pairs are shortened
     * with a hash, deterministically, so a later process finds the same name again.
     */
    static String instanceName(String gadget, String function) {
        String full = gadget + "." + function;
        if (full.length() <= MAX_INSTANCE_NAME) {
            return full;
        }
        String hash = String.format(Locale.ROOT, "%08x", full.hashCode());
        return full.substring(0, MAX_INSTANCE_NAME - 1 - hash.length()) + "." + hash;
    }

    Path mountPoint(String function) {
        return files.mountBase().resolve(name).resolve(function);
    }

    /**
     * Creates the tree and mounts every function's FunctionFS instance. An existing tree of the
     * same name is torn down first only when it is stale (its owner record names a process that
     * died owning it) or when {@code replaceUnowned} allows removing a tree no gadget4j process
     * owns; otherwise it is left alone and EEXIST reported. The caller holds {@code owner}, so no
     * live gadget4j process owns the name. On failure, whatever was created is removed again.
     *
     * @return the mount point of each function, in spec order
     */
    Map<String, Path> create(GadgetSpec spec, GadgetOwner owner, boolean replaceUnowned) {
        return create(spec, owner, replaceUnowned, null);
    }

    /**
     * {@link #create(GadgetSpec, GadgetOwner, boolean)} with FunctionFS mount options
     * ({@code uid=,gid=,rmode=,fmode=}) for a gadget prepared for an unprivileged driver.
     */
    Map<String, Path> create(GadgetSpec spec, GadgetOwner owner, boolean replaceUnowned, String mountOptions) {
        if (!files.exists(files.gadgets())) {
            throw new GadgetException("mkdir", dir().toString(), Errno.ENOENT,
                    "configfs has no usb_gadget directory (is libcomposite loaded and configfs mounted?)");
        }
        if (files.exists(dir())) {
            boolean ours = owner.previous() == GadgetOwner.Previous.DEAD_OWNER || owner.preparedFor() >= 0;
            if (!ours && !replaceUnowned) {
                throw new GadgetException("mkdir", dir().toString(), Errno.EEXIST,
                        "a gadget of this name exists and no gadget4j process owns it (" + owner.path()
                                + " names no owner): it may be another program's; remove it, pick another"
                                + " gadget name, or allow replacing it (-D" + LinuxBackend.REPLACE_UNOWNED + "=true)");
            }
            tearDown();
        }
        Map<String, Path> mounts = new LinkedHashMap<>();
        try {
            Path g = dir();
            files.mkdir(g);
            files.write(g.resolve("idVendor"), hex(spec.vendorId()));
            files.write(g.resolve("idProduct"), hex(spec.productId()));
            files.write(g.resolve("bcdDevice"), hex(spec.bcdDevice()));
            Path strings = g.resolve("strings").resolve(LANG);
            files.mkdir(strings);
            files.write(strings.resolve("manufacturer"), spec.manufacturer());
            files.write(strings.resolve("product"), spec.product());
            files.write(strings.resolve("serialnumber"), spec.serialNumber());
            writeMaxSpeed(g, spec);
            Path config = g.resolve("configs").resolve(CONFIG);
            files.mkdir(config);
            files.write(config.resolve("MaxPower"), Integer.toString(spec.maxPowerMa()));
            Path configStrings = config.resolve("strings").resolve(LANG);
            files.mkdir(configStrings);
            files.write(configStrings.resolve("configuration"), spec.product());
            for (String f : spec.functions()) {
                String instance = "ffs." + instanceName(name, f);
                Path function = g.resolve("functions").resolve(instance);
                files.mkdir(function);
                files.symlink(config.resolve(instance), function);
            }
            for (String f : spec.functions()) {
                Path mp = mountPoint(f);
                files.mkdirs(mp);
                files.mount(instanceName(name, f), mp, "functionfs", mountOptions);
                mounts.put(f, mp);
            }
            return mounts;
        } catch (RuntimeException e) {
            try {
                tearDown();
            } catch (RuntimeException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
    }

    /**
     * The mount points of a tree prepared by a privileged setup: every function of {@code spec}
     * must have its FunctionFS instance mounted there.
     *
     * @throws GadgetException ENOENT naming what is missing
     */
    Map<String, Path> preparedMounts(GadgetSpec spec) {
        if (!files.exists(dir())) {
            throw new GadgetException("open", dir().toString(), Errno.ENOENT,
                    "the gadget was prepared for this user but its configfs tree is gone; run the setup again");
        }
        Map<String, Path> mounts = new LinkedHashMap<>();
        for (String f : spec.functions()) {
            Path mp = mountPoint(f);
            if (!functionFsMounts(List.of(instanceName(name, f))).contains(mp)) {
                throw new GadgetException("open", mp.toString(), Errno.ENOENT, "the prepared gadget has no FunctionFS"
                        + " instance for function " + f + " mounted there; run the setup with the same gadget spec");
            }
            mounts.put(f, mp);
        }
        return mounts;
    }

    private void writeMaxSpeed(Path g, GadgetSpec spec) {
        String speed = switch (spec.maxSpeed()) {
            case FULL -> "full-speed";
            case HIGH -> "high-speed";
            case SUPER -> "super-speed";
        };
        try {
            files.write(g.resolve("max_speed"), speed);
        } catch (GadgetException e) {
            // Kernels before 5.x have no max_speed attribute: the UDC's speed applies.
            if (e.errno() != Errno.ENOENT) {
                throw e;
            }
        }
    }

    private static String hex(int v) {
        return String.format(Locale.ROOT, "0x%04x", v);
    }

    /** The UDC the gadget is bound to according to configfs, or empty. */
    String boundUdc() {
        String udc = files.readOrNull(udcFile());
        return udc == null ? "" : udc;
    }

    /**
     * Writes {@code UDC}. An empty name unbinds; ENODEV on unbind means the kernel already
     * unbound it (closing ep0 does that) and is not an error.
     */
    void writeUdc(String udc) {
        try {
            files.write(udcFile(), udc + "\n");
        } catch (GadgetException e) {
            if (udc.isEmpty() && e.errno() == Errno.ENODEV) {
                return;
            }
            throw e;
        }
    }

    /**
     * Removes everything: unbinds, unmounts FunctionFS instances of this gadget's functions
     * (found by source name in /proc/mounts), then removes the configfs tree bottom up and the
     * mount directories. Idempotent; a missing tree is fine.
     */
    void tearDown() {
        Path g = dir();
        List<RuntimeException> failures = new ArrayList<>();
        List<String> instances = new ArrayList<>();
        if (files.exists(g)) {
            if (!boundUdc().isEmpty()) {
                attempt(failures, () -> writeUdc(""));
            }
            for (String f : files.list(g.resolve("functions"))) {
                if (f.startsWith("ffs.")) {
                    instances.add(f.substring(4));
                }
            }
        }
        for (Path mp : functionFsMounts(instances)) {
            attempt(failures, () -> files.umount(mp));
        }
        if (files.exists(g)) {
            Path configs = g.resolve("configs");
            for (String c : files.list(configs)) {
                Path config = configs.resolve(c);
                for (String entry : files.list(config)) {
                    Path p = config.resolve(entry);
                    if (Files.isSymbolicLink(p)) {
                        attempt(failures, () -> files.remove(p));
                    }
                }
                for (String lang : files.list(config.resolve("strings"))) {
                    attempt(failures, () -> files.remove(config.resolve("strings").resolve(lang)));
                }
                attempt(failures, () -> files.remove(config));
            }
            Path osDesc = g.resolve("os_desc");
            for (String entry : files.list(osDesc)) {
                Path p = osDesc.resolve(entry);
                if (Files.isSymbolicLink(p)) {
                    attempt(failures, () -> files.remove(p));
                }
            }
            for (String f : files.list(g.resolve("functions"))) {
                attempt(failures, () -> files.remove(g.resolve("functions").resolve(f)));
            }
            for (String lang : files.list(g.resolve("strings"))) {
                attempt(failures, () -> files.remove(g.resolve("strings").resolve(lang)));
            }
            attempt(failures, () -> files.remove(g));
        }
        Path base = files.mountBase().resolve(name);
        for (String f : files.list(base)) {
            Path mp = base.resolve(f);
            if (Files.isDirectory(mp) && files.list(mp).isEmpty()) {
                attempt(failures, () -> files.remove(mp));
            }
        }
        if (files.exists(base) && files.list(base).isEmpty()) {
            attempt(failures, () -> files.remove(base));
        }
        if (!failures.isEmpty()) {
            RuntimeException first = failures.getFirst();
            for (int i = 1; i < failures.size(); i++) {
                first.addSuppressed(failures.get(i));
            }
            throw first;
        }
    }

    /** Mount points of functionfs mounts whose source is one of {@code instances}, latest first. */
    List<Path> functionFsMounts(List<String> instances) {
        List<Path> out = new ArrayList<>();
        for (String line : files.lines(files.procMounts())) {
            String[] f = line.split(" ");
            if (f.length >= 3 && f[2].equals("functionfs") && instances.contains(f[0])) {
                out.addFirst(Path.of(unescape(f[1])));
            }
        }
        return out;
    }

    /** /proc/mounts escapes space, tab, newline and backslash as octal. */
    static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1)) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }

    private static void attempt(List<RuntimeException> failures, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            failures.add(e);
        }
    }
}
