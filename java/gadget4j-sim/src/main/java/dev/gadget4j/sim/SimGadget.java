package dev.gadget4j.sim;

import dev.gadget4j.Errno;
import dev.gadget4j.FunctionFs;
import dev.gadget4j.Gadget;
import dev.gadget4j.GadgetException;
import dev.gadget4j.GadgetSpec;
import dev.gadget4j.Udc;
import dev.gadget4j.Speed;
import dev.gadget4j.descriptor.ConfigurationDescriptor;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A simulated gadget: the configfs composition, and once bound, the device the host enumerates
 * (its descriptors, configuration and the standard requests the composite layer and the UDC
 * answer themselves).
 */
final class SimGadget implements Gadget {
    static final String UDC = "dummy_udc.0";

    final SimBackend backend;
    private final Bus bus;
    private final GadgetSpec spec;
    private final Map<String, SimFunctionFs> functions = new LinkedHashMap<>();
    /** The same functions in the same order, for the per-URB lookup. */
    private final SimFunctionFs[] functionArray;
    private boolean closed;
    private boolean bound;
    /** Increments on every bind, so host handles of an earlier connection see ENODEV. */
    long connection;
    Speed speed;
    int configuration;
    int address;
    private final List<String> strings = new ArrayList<>();

    SimGadget(SimBackend backend, GadgetSpec spec) {
        this.backend = backend;
        this.bus = backend.bus;
        this.spec = spec;
        for (String f : spec.functions()) {
            functions.put(f, new SimFunctionFs(this, f));
        }
        this.functionArray = functions.values().toArray(SimFunctionFs[]::new);
    }

    @Override
    public GadgetSpec spec() {
        return spec;
    }

    private String object() {
        return "gadget " + spec.name();
    }

    @Override
    public FunctionFs functionFs(String name) {
        SimFunctionFs f = functions.get(name);
        if (f == null) {
            throw new IllegalArgumentException("gadget " + spec.name() + " has no function '" + name
                    + "'; it has " + functions.keySet());
        }
        return f;
    }

    Iterable<SimFunctionFs> functions() {
        return functions.values();
    }

    @Override
    public void bind(Udc udc) {
        if (!udc.name().equals(UDC)) {
            throw new GadgetException("write UDC", object(), Errno.ENODEV, "no UDC " + udc + "; the simulator has " + UDC);
        }
        bind();
    }

    @Override
    public void bind() {
        bus.lock.lock();
        try {
            if (closed) {
                throw new GadgetException("write UDC", object(), Errno.EBADF, "the gadget is closed");
            }
            if (bound) {
                throw new GadgetException("write UDC", object(), Errno.EBUSY, "already bound to " + UDC);
            }
            for (SimFunctionFs f : functions.values()) {
                if (!f.isStarted()) {
                    throw new GadgetException("write UDC", object(), Errno.ENODEV,
                            "function " + f.name() + " has no descriptors and strings yet (start it first)");
                }
            }
            backend.claimUdc(this);
            bound = true;
            connection++;
            speed = spec.maxSpeed().compareTo(backend.hostSpeed()) < 0 ? spec.maxSpeed() : backend.hostSpeed();
            assignNumbers();
            for (SimFunctionFs f : functions.values()) {
                f.onBind(speed);
            }
            // The host enumerates at once and usbcore picks configuration 1, as it does for a
            // device whose interfaces are vendor-specific.
            address = backend.nextAddress();
            configure(1);
            bus.signal();
        } finally {
            bus.lock.unlock();
        }
    }

    /** Interface numbers, string ids and endpoint addresses, as composite and usb_ep_autoconfig hand them out. */
    private void assignNumbers() {
        int iface = 0;
        int ep = 1;
        strings.clear();
        strings.add(spec.manufacturer());
        strings.add(spec.product());
        strings.add(spec.serialNumber());
        for (SimFunctionFs f : functions.values()) {
            FunctionLayout l = f.layout();
            f.firstInterface = iface;
            f.firstString = strings.size() + 1;
            iface += l.interfaceCount;
            strings.addAll(l.hostStrings());
            for (EpFile e : f.eps()) {
                e.udcAddress = (e.in() ? 0x80 : 0) | ep++;
            }
        }
        if (ep > 16) {
            throw new GadgetException("write UDC", object(), Errno.ENODEV, "the UDC has 15 endpoints per direction");
        }
    }

    /** SET_CONFIGURATION as composite handles it. Lock held. */
    void configure(int value) {
        if (configuration != 0) {
            for (SimFunctionFs f : functions.values()) {
                f.onDisable();
            }
        }
        configuration = value;
        if (value != 0) {
            for (SimFunctionFs f : functions.values()) {
                for (int i = 0; i < f.layout().interfaceCount; i++) {
                    f.onSetAlt();
                }
            }
        }
    }

    /** The function owning host-visible interface {@code iface}, or null. */
    SimFunctionFs functionForInterface(int iface) {
        for (SimFunctionFs f : functions.values()) {
            if (iface >= f.firstInterface && iface < f.firstInterface + f.layout().interfaceCount) {
                return f;
            }
        }
        return null;
    }

    /** The endpoint with host-visible address {@code address}, or null. Every URB asks: no iterator. */
    EpFile endpoint(int address) {
        for (SimFunctionFs f : functionArray) {
            List<EpFile> eps = f.eps();
            for (int i = 0, n = eps.size(); i < n; i++) {
                if (eps.get(i).udcAddress == address) {
                    return eps.get(i);
                }
            }
        }
        return null;
    }

    SimFunctionFs functionForEndpoint(int address) {
        for (SimFunctionFs f : functions.values()) {
            for (EpFile e : f.eps()) {
                if (e.udcAddress == address) {
                    return f;
                }
            }
        }
        return null;
    }

    byte[] deviceDescriptor() {
        int bcdUsb = switch (speed) {
            case FULL -> 0x0200;
            case HIGH -> 0x0200;
            case SUPER -> 0x0320;
        };
        int ep0 = speed == Speed.SUPER ? 9 : 64;
        return new byte[] {18, 1, (byte) bcdUsb, (byte) (bcdUsb >> 8), 0, 0, 0, (byte) ep0,
            (byte) spec.vendorId(), (byte) (spec.vendorId() >> 8), (byte) spec.productId(), (byte) (spec.productId() >> 8),
            (byte) spec.bcdDevice(), (byte) (spec.bcdDevice() >> 8), 1, 2, 3, 1};
    }

    byte[] configurationDescriptor() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int interfaces = 0;
        for (SimFunctionFs f : functions.values()) {
            int[] addrs = f.eps().stream().mapToInt(e -> e.udcAddress).toArray();
            body.writeBytes(f.layout().hostDescriptors(speed, f.firstInterface, addrs, f.firstString));
            interfaces += f.layout().interfaceCount;
        }
        int total = 9 + body.size();
        byte[] head = {9, 2, (byte) total, (byte) (total >> 8), (byte) interfaces, 1, 0,
            (byte) ConfigurationDescriptor.ATTRIBUTES_ONE, (byte) BoundDescriptors.encodeMaxPower(speed, spec.maxPowerMa())};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head);
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    /** String descriptor {@code index}; index 0 lists the language (US English), as composite offers. */
    byte[] stringDescriptor(int index) {
        if (index == 0) {
            return new byte[] {4, 3, 0x09, 0x04};
        }
        if (index > strings.size()) {
            return null;
        }
        byte[] utf16 = strings.get(index - 1).getBytes(StandardCharsets.UTF_16LE);
        int len = Math.min(2 + utf16.length, 254);
        byte[] d = new byte[len];
        d[0] = (byte) len;
        d[1] = 3;
        System.arraycopy(utf16, 0, d, 2, len - 2);
        return d;
    }

    @Override
    public void unbind() {
        bus.locked(() -> unbindLocked());
    }

    /** The host sees a disconnect: composite disables the functions, FunctionFS unbinds. Lock held. */
    void unbindLocked() {
        if (!bound) {
            return;
        }
        bound = false;
        configuration = 0;
        for (SimFunctionFs f : functions.values()) {
            f.onUnbind();
        }
        backend.releaseUdc(this);
        bus.signal();
    }

    @Override
    public boolean isBound() {
        return bus.locked(() -> bound);
    }

    @Override
    public Optional<String> udc() {
        return isBound() ? Optional.of(UDC) : Optional.empty();
    }

    @Override
    public void close() {
        bus.locked(() -> {
            if (closed) {
                return;
            }
            unbindLocked();
            for (SimFunctionFs f : functions.values()) {
                f.close();
            }
            closed = true;
            backend.forget(this);
        });
    }
}
