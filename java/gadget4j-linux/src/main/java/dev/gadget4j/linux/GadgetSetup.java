package dev.gadget4j.linux;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.GadgetSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The privileged step that lets a driver run unprivileged: as root, {@link #prepare} composes the
 * gadget in configfs, mounts its FunctionFS instances owned by the driver's user
 * ({@code uid=,gid=,rmode=0500,fmode=0600}: no other uid can open ep0 or the endpoint files),
 * hands that user the gadget's {@code UDC} attribute (to bind and unbind), its owner record,
 * and {@code /dev/udmabuf} (and {@code /dev/dma_heap/system} where present). The driver then
 * runs as that user: {@code Backend.createGadget} with the same spec opens the prepared
 * functions instead of composing anything, and leaves the tree in place when it closes.
 * {@link #remove} (as root) tears the gadget down and gives the devices back to their previous
 * owners, which {@link #prepare} wrote to {@code RUN_DIR/NAME.devices}.
 */
public final class GadgetSetup {
    private static final List<String> DEVICES = List.of("/dev/udmabuf", "/dev/dma_heap/system");

    private final SystemFiles files;

    /** The setup for this machine (run directory as configured, see the README). */
    public GadgetSetup() {
        this(SystemFiles.real());
    }

    GadgetSetup(SystemFiles files) {
        this.files = files;
    }

    /** Where {@link #prepare} keeps the previous owners of the devices it handed over. */
    Path devicesRecord(String gadget) {
        return files.mountBase().resolve(gadget + ".devices");
    }

    /**
     * Composes {@code spec}'s gadget for the user {@code uid}/{@code gid}; a gadget of the same
     * name prepared before is replaced, one a running driver owns is refused (EEXIST).
     *
     * @return the mount point of each function's FunctionFS instance, in spec order
     */
    public List<Path> prepare(GadgetSpec spec, int uid, int gid) {
        if (uid < 0 || gid < 0) {
            throw new IllegalArgumentException("uid and gid must be >= 0, got " + uid + ":" + gid);
        }
        try (GadgetOwner owner = GadgetOwner.acquire(files, spec.name())) {
            boolean replaceUnowned = Boolean.getBoolean(LinuxBackend.REPLACE_UNOWNED);
            ConfigFsTree tree = new ConfigFsTree(files, spec.name());
            if (owner.preparedFor() >= 0) {
                restoreDevices(spec.name());
            }
            // f_fs.c masks rmode with 0555 and fmode with 0666: these are the modes the kernel keeps.
            String options = String.format(Locale.ROOT, "uid=%d,gid=%d,rmode=0500,fmode=0600", uid, gid);
            List<Path> mounts = new ArrayList<>(tree.create(spec, owner, replaceUnowned, options).values());
            try {
                files.chown(tree.udcFile(), uid, gid);
                files.chown(owner.path(), uid, gid);
                giveDevices(spec.name(), uid, gid);
                owner.markPrepared(uid);
            } catch (RuntimeException e) {
                try {
                    tree.tearDown();
                    restoreDevices(spec.name());
                } catch (RuntimeException again) {
                    e.addSuppressed(again);
                }
                throw e;
            }
            return mounts;
        }
    }

    /**
     * Removes a prepared gadget (unbinding it, unmounting its instances) and gives the devices
     * back; refused with EEXIST while a driver runs on it. Nothing to do when it does not exist.
     */
    public void remove(String gadget) {
        try (GadgetOwner owner = GadgetOwner.acquire(files, gadget)) {
            if (owner.preparedFor() < 0 && files.exists(new ConfigFsTree(files, gadget).dir())
                    && owner.previous() != GadgetOwner.Previous.DEAD_OWNER) {
                throw new GadgetException("rmdir", new ConfigFsTree(files, gadget).dir().toString(), Errno.EEXIST,
                        "this gadget was not prepared by the setup; its owner removes it");
            }
            new ConfigFsTree(files, gadget).tearDown();
            restoreDevices(gadget);
            owner.clearPrepared();
            files.chown(owner.path(), 0, 0);
        }
    }

    private void giveDevices(String gadget, int uid, int gid) {
        StringBuilder previous = new StringBuilder();
        for (String d : DEVICES) {
            Path p = files.resolve(d);
            if (files.exists(p)) {
                int[] was = files.owner(p);
                previous.append(p).append(' ').append(was[0]).append(' ').append(was[1]).append('\n');
            }
        }
        files.writeState(devicesRecord(gadget), previous.toString());
        for (String line : previous.toString().split("\n")) {
            if (!line.isEmpty()) {
                files.chown(Path.of(line.substring(0, line.indexOf(' '))), uid, gid);
            }
        }
    }

    private void restoreDevices(String gadget) {
        Path record = devicesRecord(gadget);
        for (String line : files.lines(record)) {
            String[] f = line.split(" ");
            if (f.length == 3 && files.exists(Path.of(f[0]))) {
                files.chown(Path.of(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]));
            }
        }
        if (files.exists(record)) {
            files.remove(record);
        }
    }
}
