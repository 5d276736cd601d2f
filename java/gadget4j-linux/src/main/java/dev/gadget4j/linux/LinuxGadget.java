package dev.gadget4j.linux;

import dev.gadget4j.Errno;
import dev.gadget4j.FunctionFs;
import dev.gadget4j.Gadget;
import dev.gadget4j.GadgetException;
import dev.gadget4j.GadgetSpec;
import dev.gadget4j.Udc;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A configfs gadget ({@code /sys/kernel/config/usb_gadget/NAME}) with one configuration and one
 * FunctionFS instance per function, mounted under {@code /run/gadget4j/NAME/FUNCTION}.
 *
 * <p>Bind state matters beyond {@link #isBound()}: Linux 6.12 dereferences a NULL gadget when a
 * DMABUF TRANSFER or DETACH reaches an unbound function, so every function learns of an unbind
 * before the kernel performs it ({@link #unbind()} tells them before writing {@code UDC}).
 */
final class LinuxGadget implements Gadget {
    private static final long HOST_DISCONNECT_NANOS = 3_000_000_000L;

    private final LinuxBackend backend;
    private final SystemFiles files;
    private final GadgetSpec spec;
    private final ConfigFsTree tree;
    /** Held from creation until the tree is gone; closing the process releases it too. */
    private final GadgetOwner owner;
    private final Map<String, LinuxFunctionFs> functions = new LinkedHashMap<>();
    private final Object lock = new Object();
    private volatile boolean bound;
    private volatile String udc;
    private volatile boolean closed;

    private LinuxGadget(LinuxBackend backend, SystemFiles files, GadgetSpec spec, ConfigFsTree tree, GadgetOwner owner) {
        this.owner = owner;
        this.backend = backend;
        this.files = files;
        this.spec = spec;
        this.tree = tree;
    }

    static LinuxGadget create(LinuxBackend backend, SystemFiles files, GadgetSpec spec, boolean replaceUnowned) {
        GadgetOwner owner = GadgetOwner.acquire(files, spec.name());
        ConfigFsTree tree = new ConfigFsTree(files, spec.name());
        Map<String, Path> mounts;
        try {
            // A gadget a privileged setup prepared is used as it is: this process may not be
            // allowed to change configfs, and the tree stays for the next run.
            mounts = owner.preparedFor() >= 0 ? tree.preparedMounts(spec) : tree.create(spec, owner, replaceUnowned);
        } catch (RuntimeException e) {
            // create() removed what it made; a tree it refused to touch is not ours.
            owner.close();
            throw e;
        }
        LinuxGadget g = new LinuxGadget(backend, files, spec, tree, owner);
        try {
            for (String f : spec.functions()) {
                g.functions.put(f, LinuxFunctionFs.open(g, f, mounts.get(f)));
            }
        } catch (RuntimeException e) {
            g.functions.values().forEach(LinuxFunctionFs::close);
            try {
                g.removeTree();
                owner.close();
            } catch (RuntimeException again) {
                e.addSuppressed(again);
                owner.abandon();
            }
            throw e;
        }
        return g;
    }

    @Override
    public GadgetSpec spec() {
        return spec;
    }

    LinuxBackend backend() {
        return backend;
    }

    String object() {
        return "gadget " + spec.name();
    }

    @Override
    public FunctionFs functionFs(String name) {
        LinuxFunctionFs f = functions.get(name);
        if (f == null) {
            throw new IllegalArgumentException("gadget " + spec.name() + " has no function '" + name
                    + "'; it has " + functions.keySet());
        }
        return f;
    }

    @Override
    public void bind() {
        bind(null);
    }

    @Override
    public void bind(Udc target) {
        synchronized (lock) {
            if (closed) {
                throw new GadgetException("write UDC", object(), Errno.EBADF, "the gadget is closed");
            }
            if (isBound()) {
                throw new GadgetException("write UDC", object(), Errno.EBUSY, "already bound to " + udc);
            }
            for (LinuxFunctionFs f : functions.values()) {
                if (!f.isStarted()) {
                    throw new GadgetException("write UDC", object(), Errno.ENODEV,
                            "function " + f.name() + " has no descriptors and strings yet (start it first)");
                }
            }
            List<String> udcs = LinuxBackendProvider.udcs(files);
            if (udcs.isEmpty()) {
                throw new GadgetException("write UDC", object(), Errno.ENODEV, "no UDC in " + files.udcClass());
            }
            if (target != null && !udcs.contains(target.name())) {
                throw new GadgetException("write UDC", object(), Errno.ENODEV, "no UDC " + target + " in "
                        + files.udcClass() + "; it has " + udcs);
            }
            String chosen = target == null ? udcs.getFirst() : target.name();
            try {
                tree.writeUdc(chosen);
            } catch (GadgetException e) {
                throw new GadgetException("write UDC", tree.udcFile().toString(), e.errno(), udcFailure(e.errno(), chosen), e);
            }
            udc = chosen;
            bound = true;
            // functionfs_bind ran inside the UDC write: every function now has its gadget.
            for (LinuxFunctionFs f : functions.values()) {
                f.setBound(true);
            }
        }
    }

    private String udcFailure(Errno errno, String chosen) {
        return switch (errno) {
            case EBUSY -> chosen + " is in use" + holder(chosen).map(h -> " by gadget " + h).orElse("")
                    + ", or this gadget is already bound";
            case ENODEV -> "no UDC named " + chosen + ", or a function is not ready (descriptors and strings written, ep0 open)";
            default -> "binding to " + chosen;
        };
    }

    /** Which configfs gadget holds {@code udcName}. */
    private Optional<String> holder(String udcName) {
        for (String g : files.list(files.gadgets())) {
            String u = files.readOrNull(files.gadgets().resolve(g).resolve("UDC"));
            if (udcName.equals(u)) {
                return Optional.of(g);
            }
        }
        return Optional.empty();
    }

    @Override
    public void unbind() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            unbindLocked();
        }
    }

    private void unbindLocked() {
        // Functions refuse DMABUF TRANSFER/DETACH from now on, before the kernel clears its gadget.
        for (LinuxFunctionFs f : functions.values()) {
            f.setBound(false);
        }
        bound = false;
        if (!tree.boundUdc().isEmpty()) {
            List<String> seen = hostPaths();
            tree.writeUdc("");
            awaitHostDisconnect(seen);
        }
        udc = null;
    }

    /** usbfs nodes of this gadget's VID:PID on this machine's host side (a loopback UDC such as dummy_hcd). */
    private List<String> hostPaths() {
        return backend.host().devices().stream()
                .filter(i -> i.vendorId() == spec.vendorId() && i.productId() == spec.productId())
                .map(dev.gadget4j.UsbDeviceInfo::path).toList();
    }

    /**
     * With a loopback UDC the host side is this machine, and usbcore removes the device in its
     * hub thread a little after the UDC write: wait for it (bounded), so that unbind() returns
     * once the host has seen the disconnect, as on the simulator.
     */
    private void awaitHostDisconnect(List<String> seen) {
        long deadline = System.nanoTime() + HOST_DISCONNECT_NANOS;
        while (!seen.isEmpty() && System.nanoTime() < deadline) {
            List<String> now = hostPaths();
            if (seen.stream().noneMatch(now::contains)) {
                return;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Closing ep0 makes FunctionFS unbind the gadget by itself. */
    void functionClosed() {
        bound = false;
        for (LinuxFunctionFs f : functions.values()) {
            f.setBound(false);
        }
    }

    @Override
    public boolean isBound() {
        return bound && !closed && !tree.boundUdc().isEmpty();
    }

    @Override
    public Optional<String> udc() {
        return isBound() ? Optional.ofNullable(udc) : Optional.empty();
    }

    boolean isClosed() {
        return closed;
    }

    /** Unbinds, closes every function (endpoints, then ep0), unmounts and removes the configfs tree. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            RuntimeException failure = null;
            try {
                unbindLocked();
            } catch (RuntimeException e) {
                failure = e;
            }
            closed = true;
            for (LinuxFunctionFs f : functions.values()) {
                try {
                    f.close();
                } catch (RuntimeException e) {
                    failure = add(failure, e);
                }
            }
            try {
                removeTree();
                owner.close();
            } catch (RuntimeException e) {
                failure = add(failure, e);
                // The tree is still there: the record keeps this pid, so the next owner finds it stale.
                owner.abandon();
            }
            backend.forget(this);
            if (failure != null) {
                throw failure;
            }
        }
    }

    /** Removes the configfs tree and mounts, unless a setup prepared them to outlive this process. */
    private void removeTree() {
        if (owner.preparedFor() < 0) {
            tree.tearDown();
        }
    }

    private static RuntimeException add(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}
