package dev.gadget4j;

import dev.gadget4j.descriptor.UsbFunction;
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
     * The FunctionFS instance of function {@code name}; the same object on every call. The
     * string-named, lower-level form of {@link #functionFs(UsbFunction)}.
     *
     * @throws IllegalArgumentException if the spec has no such function
     */
    FunctionFs functionFs(String name);

    /**
     * The FunctionFS instance of {@code function} (added to the spec with
     * {@link GadgetSpec.Builder#function(UsbFunction)}); the typed form of {@link #functionFs(String)}.
     *
     * @throws IllegalArgumentException if the spec has no function of that name
     */
    default FunctionFs functionFs(UsbFunction function) {
        return functionFs(function.name());
    }

    /**
     * Starts {@code function}: writes the descriptors and strings derived from it to its ep0.
     *
     * @return its FunctionFS instance, started
     */
    default FunctionFs start(UsbFunction function) {
        FunctionFs ffs = functionFs(function);
        ffs.start(function);
        return ffs;
    }

    /**
     * Binds the gadget to the first UDC of {@link Backend#udcs()} (writes {@code UDC}); the host
     * then enumerates it. Where a board has several controllers, name one with {@link #bind(Udc)}.
     *
     * @throws GadgetException ENODEV if a function is not started or there is no UDC, EBUSY if the UDC is taken
     */
    void bind();

    /**
     * Binds the gadget to {@code udc}.
     *
     * @throws GadgetException ENODEV if a function is not started or there is no such UDC, EBUSY if it is taken
     */
    void bind(Udc udc);

    /** Unbinds it from the UDC; the host sees a disconnect. Harmless when not bound. */
    void unbind();

    /** Whether it is bound to a UDC. */
    boolean isBound();

    /** The UDC it is bound to, e.g. {@code dummy_udc.0}. */
    Optional<String> udc();

    @Override
    void close();
}
