package dev.gadget4j.descriptor;

import static dev.gadget4j.descriptor.Wire.le16;
import static dev.gadget4j.descriptor.Wire.u8;

import java.util.Arrays;

/**
 * Reads consecutive descriptors. In FunctionFS mode it accepts exactly what f_fs.c's
 * {@code ffs_do_single_desc} accepts, which is far less than USB allows: that function rejects
 * any type it does not know (class-specific 0x24 descriptors included), so a blob that parses
 * here is one the kernel will not refuse for its descriptor types or lengths. In host mode every
 * well-formed descriptor is taken, unknown ones as {@link UsbDescriptor.Raw}.
 */
final class DescriptorReader {
    private static final int CLASS_HID = 0x03;
    private static final int CLASS_CCID = 0x0b;
    private static final int CLASS_APPLICATION = 0xfe;
    private static final int SUBCLASS_DFU = 0x01;

    private final byte[] b;
    private final boolean functionFs;
    private int pos;
    private int index;
    /** ffs_do_descs's current_class/current_subclass: the last interface seen, for type 0x21. */
    private int currentClass = -1;
    private int currentSubClass = -1;

    DescriptorReader(byte[] b, int pos, boolean functionFs) {
        this.b = b;
        this.pos = pos;
        this.functionFs = functionFs;
    }

    int position() {
        return pos;
    }

    boolean atEnd() {
        return pos == b.length;
    }

    UsbDescriptor next() {
        int at = pos;
        String where = "descriptor " + index + " at offset " + at;
        Wire.need(b, at, 2, where);
        int len = u8(b, at);
        int type = u8(b, at + 1);
        if (len > b.length - at) {
            throw new IllegalArgumentException(where + ": bLength " + len + " runs past the end, "
                    + (b.length - at) + " bytes left");
        }
        if (len < 2) {
            throw new IllegalArgumentException(where + ": bLength " + len + " is shorter than the 2-byte header");
        }
        UsbDescriptor d;
        try {
            d = decode(at, len, type);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
        pos += len;
        index++;
        return d;
    }

    private UsbDescriptor decode(int at, int len, int type) {
        if (functionFs && (type == DescriptorType.DEVICE || type == DescriptorType.CONFIGURATION
                || type == DescriptorType.STRING || type == DescriptorType.DEVICE_QUALIFIER)) {
            throw new IllegalArgumentException("bDescriptorType " + Wire.hex(type) + " belongs to the gadget: a function"
                    + " cannot carry device, configuration, string or device qualifier descriptors");
        }
        return switch (type) {
            case DescriptorType.INTERFACE -> {
                length(len, UsbDescriptor.Interface.SIZE, "interface");
                currentClass = u8(b, at + 5);
                currentSubClass = u8(b, at + 6);
                yield new UsbDescriptor.Interface(u8(b, at + 2), u8(b, at + 3), u8(b, at + 4), currentClass,
                        currentSubClass, u8(b, at + 7), u8(b, at + 8));
            }
            case DescriptorType.ENDPOINT -> {
                boolean audio = len == UsbDescriptor.Endpoint.AUDIO_SIZE;
                if (len != UsbDescriptor.Endpoint.SIZE && !audio) {
                    throw new IllegalArgumentException("endpoint descriptor has bLength " + len + " (7 or 9 expected)");
                }
                yield new UsbDescriptor.Endpoint(u8(b, at + 2), u8(b, at + 3), le16(b, at + 4), u8(b, at + 6), audio,
                        audio ? u8(b, at + 7) : 0, audio ? u8(b, at + 8) : 0);
            }
            case DescriptorType.SS_ENDPOINT_COMPANION -> {
                length(len, UsbDescriptor.SsCompanion.SIZE, "SuperSpeed endpoint companion");
                yield new UsbDescriptor.SsCompanion(u8(b, at + 2), u8(b, at + 3), le16(b, at + 4));
            }
            case DescriptorType.INTERFACE_ASSOCIATION -> {
                length(len, UsbDescriptor.InterfaceAssociation.SIZE, "interface association");
                yield new UsbDescriptor.InterfaceAssociation(u8(b, at + 2), u8(b, at + 3), u8(b, at + 4),
                        u8(b, at + 5), u8(b, at + 6), u8(b, at + 7));
            }
            default -> {
                if (functionFs) {
                    checkOtherForFunctionFs(len, type);
                }
                yield new UsbDescriptor.Raw(Arrays.copyOfRange(b, at, at + len));
            }
        };
    }

    private void checkOtherForFunctionFs(int len, int type) {
        if (type == DescriptorType.OTG) {
            length(len, 3, "OTG");
        } else if (type == DescriptorType.CLASS_FUNCTIONAL && currentClass == CLASS_HID) {
            length(len, 9, "HID"); // struct hid_descriptor holds exactly one class descriptor
        } else if (type == DescriptorType.CLASS_FUNCTIONAL && currentClass == CLASS_CCID) {
            length(len, 54, "CCID");
        } else if (type == DescriptorType.CLASS_FUNCTIONAL && currentClass == CLASS_APPLICATION
                && currentSubClass == SUBCLASS_DFU) {
            length(len, 9, "DFU functional");
        } else if (type == DescriptorType.CLASS_FUNCTIONAL) {
            throw new IllegalArgumentException("descriptor type 0x21 after an interface of class "
                    + Wire.hex(currentClass) + ": f_fs.c takes it only under HID (0x03), CCID (0x0b) or DFU (0xfe/0x01)"
                    + " interfaces");
        } else {
            throw new IllegalArgumentException("bDescriptorType " + Wire.hex(type) + " is not one f_fs.c accepts"
                    + " (interface, endpoint, interface association, SuperSpeed companion, OTG, or 0x21 under a"
                    + " HID, CCID or DFU interface)");
        }
    }

    private static void length(int len, int want, String what) {
        if (len != want) {
            throw new IllegalArgumentException(what + " descriptor has bLength " + len + " (" + want + " expected)");
        }
    }
}
