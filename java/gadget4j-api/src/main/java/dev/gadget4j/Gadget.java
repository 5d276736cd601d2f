package dev.gadget4j;

import java.util.Optional;

/**
 * A composed USB gadget: device descriptor fields, one configuration and its FunctionFS
 * functions. On Linux this is a configfs tree under {@code /sys/kernel/config/usb_gadget}.
 *
 * <p>Closing unbinds it, closes its functions and removes everything created for it, leaving
 * the system as it was. Closing twice is harmless.
 */
public interface Gadget extends AutoCloseable {

    /** What it was composed from. */
    GadgetSpec spec();

    /**
     * The FunctionFS instance of function {@code name}; the same object on every call.
     *
     * @throws IllegalArgumentException if the spec has no such function
     */
    FunctionFs functionFs(String name);

    /**
     * Binds the gadget to a UDC (writes {@code UDC}); the host then enumerates it.
     *
     * @throws GadgetException ENODEV if a function is not started, EBUSY if the UDC is taken
     */
    void bind();

    /** Unbinds it from the UDC; the host sees a disconnect. Harmless when not bound. */
    void unbind();

    /** Whether it is bound to a UDC. */
    boolean isBound();

    /** The UDC it is bound to, e.g. {@code dummy_udc.0}. */
    Optional<String> udc();

    @Override
    void close();
}
