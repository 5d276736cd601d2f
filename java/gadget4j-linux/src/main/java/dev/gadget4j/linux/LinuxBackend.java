package dev.gadget4j.linux;

import dev.gadget4j.Backend;
import dev.gadget4j.DmaBufAllocator;
import dev.gadget4j.DmaBufSource;
import dev.gadget4j.Errno;
import dev.gadget4j.Gadget;
import dev.gadget4j.GadgetException;
import dev.gadget4j.GadgetSpec;
import dev.gadget4j.Udc;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The Linux backend: gadgets composed in configfs with FunctionFS functions, DMABUFs from
 * {@code /dev/udmabuf}, and the usbfs host side ({@code /dev/bus/usb}).
 *
 * <p>Closing it closes every gadget, DMABUF and host device it created that is still open, and
 * so removes every configfs tree and FunctionFS mount it made.
 */
public final class LinuxBackend implements Backend {
    private final SystemFiles files;
    private final LinuxDmaBufAllocator allocator;
    private final LinuxUsbHost host;
    /** What close() must close, in creation order; guarded by this. */
    private final Set<AutoCloseable> owned = new LinkedHashSet<>();
    /** Serialises gadget creation: the name check and the configfs tree creation are one step. */
    private final Object createLock = new Object();
    /** Closes the backend when the JVM exits without having closed it; removed by close(). */
    private final Thread shutdownHook;
    private boolean closed;

    /**
     * System property: {@code true} lets {@link #createGadget} remove an existing configfs gadget
     * of the same name that no gadget4j process owns.
     */
    public static final String REPLACE_UNOWNED = "gadget4j.replaceUnownedGadget";

    LinuxBackend(SystemFiles files) {
        this.files = files;
        this.allocator = new LinuxDmaBufAllocator(this, files);
        this.host = new LinuxUsbHost(this, files);
        this.shutdownHook = Thread.ofPlatform().name("gadget4j-linux-shutdown").unstarted(this::closeAtExit);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * A JVM that exits normally or on SIGTERM/SIGINT without closing the backend still removes
     * its gadgets, mounts and UDC bindings: nothing else would, until the next run of the same
     * gadget finds them stale.
     */
    private void closeAtExit() {
        try {
            close();
        } catch (RuntimeException e) {
            System.err.println("gadget4j: cleaning up at exit: " + e.getMessage());
        }
    }

    @Override
    public String name() {
        return "linux";
    }

    SystemFiles files() {
        return files;
    }

    /**
     * Creates the gadget {@code usb_gadget/NAME} under the owner record {@code RUN_DIR/NAME.owner}.
     * A tree of the same name left by a gadget4j process that died is removed first; one owned
     * by a running process is refused with EEXIST, and so is one that no gadget4j process owns
     * (another program's gadget) unless the system property {@value #REPLACE_UNOWNED} is
     * {@code true}. The name check and the creation happen under one lock, so two threads
     * creating the same name cannot both succeed.
     */
    @Override
    public Gadget createGadget(GadgetSpec spec) {
        Objects.requireNonNull(spec, "spec");
        synchronized (createLock) {
            synchronized (this) {
                checkOpen("mkdir (gadget)");
                for (AutoCloseable c : owned) {
                    if (c instanceof LinuxGadget g && !g.isClosed() && g.spec().name().equals(spec.name())) {
                        throw new GadgetException("mkdir", "usb_gadget/" + spec.name(), Errno.EEXIST,
                                "this backend has an open gadget with this name");
                    }
                }
            }
            LinuxGadget g = LinuxGadget.create(this, files, spec, Boolean.getBoolean(REPLACE_UNOWNED));
            return register(g);
        }
    }

    @Override
    public LinuxDmaBufAllocator dmaBufs() {
        return allocator;
    }

    @Override
    public DmaBufAllocator dmaBufs(DmaBufSource source) {
        Objects.requireNonNull(source, "source");
        checkOpen("open (" + source + ")");
        return allocator.source(source);
    }

    @Override
    public List<Udc> udcs() {
        return LinuxBackendProvider.udcs(files).stream().map(Udc::new).toList();
    }

    @Override
    public LinuxUsbHost host() {
        return host;
    }

    void checkOpen(String operation) {
        synchronized (this) {
            if (closed) {
                throw new GadgetException(operation, "linux backend", Errno.EBADF, "the backend is closed");
            }
        }
    }

    /** Takes ownership of {@code resource}; if the backend was closed meanwhile, closes it at once. */
    <T extends AutoCloseable> T register(T resource) {
        synchronized (this) {
            if (!closed) {
                owned.add(resource);
                return resource;
            }
        }
        closeQuietly(resource);
        throw new GadgetException("open", "linux backend", Errno.EBADF, "the backend is closed");
    }

    /** Called by a resource that closed itself. */
    synchronized void forget(AutoCloseable resource) {
        owned.remove(resource);
    }

    /** Whether this backend created {@code resource} and it is still registered. */
    synchronized boolean owns(Object resource) {
        return owned.contains(resource);
    }

    @Override
    public void close() {
        List<AutoCloseable> toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayList<>(owned);
        }
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException exiting) {
                // The JVM is shutting down: the hook runs, finds the backend closed, and returns.
            }
        }
        RuntimeException failure = null;
        // Gadgets first (they close their endpoints, which drop DMABUF attachments), then the rest.
        for (int pass = 0; pass < 2; pass++) {
            for (int i = toClose.size() - 1; i >= 0; i--) {
                AutoCloseable c = toClose.get(i);
                if ((c instanceof LinuxGadget) == (pass == 0)) {
                    try {
                        c.close();
                    } catch (Exception e) {
                        if (failure == null) {
                            failure = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                        } else {
                            failure.addSuppressed(e);
                        }
                    }
                }
            }
        }
        synchronized (this) {
            owned.clear();
        }
        if (failure != null) {
            throw failure;
        }
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // best effort on an error path; the first failure is what the caller reports
        }
    }
}
