package dev.gadget4j;

import java.util.List;

/**
 * One way of reaching USB gadget hardware: the Linux kernel (configfs, FunctionFS, udmabuf, usbfs)
 * or the bundled simulator. Obtain one from {@link Backends#open()}.
 *
 * <p>A backend owns everything created through it: closing it closes its gadgets, DMABUFs and
 * host-side devices that are still open. Closing twice is harmless.
 */
public interface Backend extends AutoCloseable {

    /** The provider's name, e.g. {@code "linux"} or {@code "sim"}. */
    String name();

    /**
     * Composes a gadget (a configfs gadget on Linux, a simulated device otherwise). It is not bound
     * to the UDC until {@link Gadget#bind()}; its FunctionFS functions must be started first.
     *
     * @throws GadgetException if the gadget cannot be created (e.g. EEXIST for a name in use)
     */
    Gadget createGadget(GadgetSpec spec);

    /**
     * Where DMABUFs come from by default: {@code /dev/udmabuf} on Linux (or the source named by
     * {@link DmaBufSource#PROPERTY}), memory segments in the simulator.
     */
    DmaBufAllocator dmaBufs();

    /**
     * DMABUFs from a given source, e.g. {@link DmaBufSource#SYSTEM_HEAP}. Buffers of every source
     * attach to this backend's endpoints alike. A backend with one kind of memory (the simulator)
     * answers every source with {@link #dmaBufs()}, which is what this default does.
     *
     * @throws GadgetException ENOENT when this system has no such source (no DMA heap of that
     *                         name, no CMA heap), naming what it has
     */
    default DmaBufAllocator dmaBufs(DmaBufSource source) {
        java.util.Objects.requireNonNull(source, "source");
        return dmaBufs();
    }

    /**
     * The USB device controllers gadgets can be bound to, in the order {@link Gadget#bind()}
     * tries them: {@code /sys/class/udc} on Linux, one simulated controller ({@code dummy_udc.0})
     * in the simulator.
     */
    List<Udc> udcs();

    /** The USB host that sees this backend's gadgets once bound (usbfs on Linux). */
    UsbHost host();

    @Override
    void close();
}
