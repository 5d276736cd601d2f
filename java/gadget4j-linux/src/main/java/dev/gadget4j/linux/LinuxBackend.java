package dev.gadget4j.linux;

import dev.gadget4j.Backend;
import dev.gadget4j.Errno;
import dev.gadget4j.Gadget;
import dev.gadget4j.GadgetException;
import dev.gadget4j.GadgetSpec;
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
    private boolean closed;

    LinuxBackend(SystemFiles files) {
        this.files = files;
        this.allocator = new LinuxDmaBufAllocator(this, files);
        this.host = new LinuxUsbHost(this, files);
    }

    @Override
    public String name() {
        return "linux";
    }

    SystemFiles files() {
        return files;
    }

    @Override
    public Gadget createGadget(GadgetSpec spec) {
        Objects.requireNonNull(spec, "spec");
        synchronized (this) {
            checkOpen("mkdir (gadget)");
            for (AutoCloseable c : owned) {
                if (c instanceof LinuxGadget g && !g.isClosed() && g.spec().name().equals(spec.name())) {
                    throw new GadgetException("mkdir", "usb_gadget/" + spec.name(), Errno.EEXIST,
                            "this backend has an open gadget with this name");
                }
            }
        }
        LinuxGadget g = LinuxGadget.create(this, files, spec);
        return register(g);
    }

    @Override
    public LinuxDmaBufAllocator dmaBufs() {
        return allocator;
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
