package dev.gadget4j;

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

    /** Where DMABUFs come from: {@code /dev/udmabuf} on Linux, memory segments in the simulator. */
    DmaBufAllocator dmaBufs();

    /** The USB host that sees this backend's gadgets once bound (usbfs on Linux). */
    UsbHost host();

    @Override
    void close();
}
