package dev.gadget4j.sim;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.HostDevice;
import dev.gadget4j.UsbDeviceInfo;
import dev.gadget4j.UsbHost;
import java.time.Duration;
import java.util.List;

/**
 * The simulated host: one root port, on which the gadget bound to the simulated UDC appears.
 * Bus suspend and resume are driven from here.
 */
public final class SimHost implements UsbHost {
    static final int BUS = 1;
    private final SimBackend backend;
    private final Bus bus;

    SimHost(SimBackend backend) {
        this.backend = backend;
        this.bus = backend.bus;
    }

    @Override
    public List<UsbDeviceInfo> devices() {
        bus.lock.lock();
        try {
            SimGadget g = backend.boundGadget();
            return g == null ? List.of() : List.of(info(g));
        } finally {
            bus.lock.unlock();
        }
    }

    static UsbDeviceInfo info(SimGadget g) {
        return new UsbDeviceInfo(BUS, g.address, g.spec().vendorId(), g.spec().productId(), g.speed,
                String.format("sim:/dev/bus/usb/%03d/%03d", BUS, g.address));
    }

    @Override
    public HostDevice open(int vendorId, int productId, Duration timeout) {
        bus.lock.lock();
        try {
            backend.checkOpen("open (host)");
            long deadline = bus.deadline(timeout);
            String what = String.format("USB device %04x:%04x", vendorId, productId);
            while (true) {
                SimGadget g = backend.boundGadget();
                if (g != null && g.spec().vendorId() == vendorId && g.spec().productId() == productId) {
                    return backend.register(new SimHostDevice(backend, g));
                }
                if (!bus.await(deadline, "open (host)", what)) {
                    throw new GadgetException("open (host)", what, Errno.ETIMEDOUT,
                            "not enumerated within " + timeout);
                }
            }
        } finally {
            bus.lock.unlock();
        }
    }

    /** Suspends the bus: every function of the bound gadget sees SUSPEND. */
    public void suspend() {
        bus.lock.lock();
        try {
            SimGadget g = backend.boundGadget();
            if (g != null) {
                g.functions().forEach(SimFunctionFs::onSuspend);
            }
        } finally {
            bus.lock.unlock();
        }
    }

    /** Resumes the bus: every function of the bound gadget sees RESUME. */
    public void resume() {
        bus.lock.lock();
        try {
            SimGadget g = backend.boundGadget();
            if (g != null) {
                g.functions().forEach(SimFunctionFs::onResume);
            }
        } finally {
            bus.lock.unlock();
        }
    }
}
