package dev.gadget4j.descriptor;

/**
 * bDescriptorType values ({@code USB_DT_*} in {@code include/uapi/linux/usb/ch9.h}). Plain
 * {@code int}s rather than an enum because class-specific types are open-ended and a parser must
 * be able to carry a value it has no name for.
 */
public final class DescriptorType {
    /** Device descriptor, 18 bytes. */
    public static final int DEVICE = 0x01;
    /** Configuration descriptor, 9 bytes, followed by the configuration's other descriptors. */
    public static final int CONFIGURATION = 0x02;
    /** String descriptor (index 0: the language ids). */
    public static final int STRING = 0x03;
    /** Interface descriptor, 9 bytes. */
    public static final int INTERFACE = 0x04;
    /** Endpoint descriptor, 7 bytes (9 in the audio variant). */
    public static final int ENDPOINT = 0x05;
    /** Device qualifier. */
    public static final int DEVICE_QUALIFIER = 0x06;
    /** Other-speed configuration. */
    public static final int OTHER_SPEED_CONFIGURATION = 0x07;
    /** Interface power. */
    public static final int INTERFACE_POWER = 0x08;
    /** OTG descriptor, 3 bytes in f_fs.c's eyes ({@code struct usb_otg_descriptor}). */
    public static final int OTG = 0x09;
    /** Debug descriptor. */
    public static final int DEBUG = 0x0a;
    /** Interface association descriptor, 8 bytes. */
    public static final int INTERFACE_ASSOCIATION = 0x0b;
    /** Security descriptor. */
    public static final int SECURITY = 0x0c;
    /** Binary device object store. */
    public static final int BOS = 0x0f;
    /** Device capability (inside a BOS). */
    public static final int DEVICE_CAPABILITY = 0x10;
    /**
     * Class-specific 0x21: HID descriptor under a HID interface, CCID descriptor under a smart-card
     * interface, DFU functional descriptor under a DFU interface.
     */
    public static final int CLASS_FUNCTIONAL = 0x21;
    /** Class-specific radio control. */
    public static final int CS_RADIO_CONTROL = 0x23;
    /** Class-specific interface descriptor (audio, CDC, video...). */
    public static final int CS_INTERFACE = 0x24;
    /** Class-specific endpoint descriptor. */
    public static final int CS_ENDPOINT = 0x25;
    /** SuperSpeed endpoint companion, 6 bytes. */
    public static final int SS_ENDPOINT_COMPANION = 0x30;

    private DescriptorType() {
    }
}
