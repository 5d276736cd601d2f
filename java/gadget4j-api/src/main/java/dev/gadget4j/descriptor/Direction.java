package dev.gadget4j.descriptor;

/**
 * Data direction, seen from the host as USB does: IN is device to host. Bit 7 of an endpoint
 * address and of a setup packet's bmRequestType.
 */
public enum Direction {
    /** Host to device ({@code USB_DIR_OUT}, bit 7 clear). */
    OUT,
    /** Device to host ({@code USB_DIR_IN}, bit 7 set). */
    IN;

    /** {@code USB_DIR_IN}: the bit that marks an IN endpoint address or a device-to-host request. */
    public static final int IN_BIT = 0x80;

    /** The direction bit 7 of {@code addressOrRequestType} names. */
    public static Direction of(int addressOrRequestType) {
        return (addressOrRequestType & IN_BIT) != 0 ? IN : OUT;
    }

    /** {@link #IN_BIT} for IN, 0 for OUT. */
    public int bit() {
        return this == IN ? IN_BIT : 0;
    }
}
