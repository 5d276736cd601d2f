package dev.gadget4j.descriptor;

/** The transfer type in bits 0-1 of an endpoint's bmAttributes ({@code USB_ENDPOINT_XFER_*}). */
public enum TransferType {
    /** 0: control. */
    CONTROL,
    /** 1: isochronous. */
    ISOCHRONOUS,
    /** 2: bulk. */
    BULK,
    /** 3: interrupt. */
    INTERRUPT;

    /** The two bmAttributes bits. */
    public int bits() {
        return ordinal();
    }

    /** The transfer type of an endpoint with these bmAttributes. */
    public static TransferType of(int attributes) {
        return values()[attributes & 3];
    }
}
