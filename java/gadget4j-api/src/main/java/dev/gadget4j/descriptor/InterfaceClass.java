package dev.gadget4j.descriptor;

/**
 * bInterfaceClass, bInterfaceSubClass and bInterfaceProtocol of an interface.
 *
 * @param code     bInterfaceClass (0xff vendor specific)
 * @param subClass bInterfaceSubClass
 * @param protocol bInterfaceProtocol
 */
public record InterfaceClass(int code, int subClass, int protocol) {
    /** Vendor specific, subclass and protocol 0. */
    public static final InterfaceClass VENDOR = vendor(0, 0);

    /** Checks each field fits a byte. */
    public InterfaceClass {
        Wire.u8("bInterfaceClass", code);
        Wire.u8("bInterfaceSubClass", subClass);
        Wire.u8("bInterfaceProtocol", protocol);
    }

    /** Vendor specific (0xff) with this subclass and protocol. */
    public static InterfaceClass vendor(int subClass, int protocol) {
        return new InterfaceClass(0xff, subClass, protocol);
    }
}
