package dev.gadget4j.linux.sys;

import static dev.gadget4j.linux.sys.CLayouts.U16;
import static dev.gadget4j.linux.sys.CLayouts.U32;
import static dev.gadget4j.linux.sys.CLayouts.U8;
import static dev.gadget4j.linux.sys.CLayouts.chars;
import static dev.gadget4j.linux.sys.CLayouts.field;
import static dev.gadget4j.linux.sys.CLayouts.m;
import static dev.gadget4j.linux.sys.CLayouts.struct;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * Structs of {@code linux/usbdevice_fs.h} (the host side, {@code /dev/bus/usb}). Pointers are
 * {@link java.lang.foreign.ValueLayout#ADDRESS}, so sizes follow the platform's pointer size; the
 * 16-bit fields here are CPU order (usbfs converts), unlike the wire structs of {@link FunctionFsAbi}.
 */
public final class UsbfsAbi {
    /** {@code USBDEVFS_MAXDRIVERNAME}: driver name arrays hold this plus a NUL. */
    public static final int MAXDRIVERNAME = 255;

    private UsbfsAbi() {
    }

    /** {@code struct usbdevfs_ctrltransfer}: USBDEVFS_CONTROL. */
    public static final class CtrlTransfer {
        public static final StructLayout LAYOUT = struct("usbdevfs_ctrltransfer",
                m("bRequestType", U8), m("bRequest", U8), m("wValue", U16), m("wIndex", U16), m("wLength", U16),
                m("timeout", U32), m("data", ADDRESS));
        public static final VarHandle B_REQUEST_TYPE = field(LAYOUT, "bRequestType");
        public static final VarHandle B_REQUEST = field(LAYOUT, "bRequest");
        public static final VarHandle W_VALUE = field(LAYOUT, "wValue");
        public static final VarHandle W_INDEX = field(LAYOUT, "wIndex");
        public static final VarHandle W_LENGTH = field(LAYOUT, "wLength");
        public static final VarHandle TIMEOUT = field(LAYOUT, "timeout");
        public static final VarHandle DATA = field(LAYOUT, "data");

        private CtrlTransfer() {
        }

        /** Fills {@code c} for one control transfer of the first {@code length} bytes of {@code data} (wLength). */
        public static void set(MemorySegment c, int requestType, int request, int value, int index, MemorySegment data,
                               long length, int timeoutMs) {
            java.util.Objects.checkFromIndexSize(0, length, data.byteSize());
            B_REQUEST_TYPE.set(c, (byte) requestType);
            B_REQUEST.set(c, (byte) request);
            W_VALUE.set(c, (short) value);
            W_INDEX.set(c, (short) index);
            W_LENGTH.set(c, (short) length);
            TIMEOUT.set(c, timeoutMs);
            DATA.set(c, data);
        }
    }

    /** {@code struct usbdevfs_bulktransfer}: USBDEVFS_BULK. */
    public static final class BulkTransfer {
        public static final StructLayout LAYOUT = struct("usbdevfs_bulktransfer",
                m("ep", U32), m("len", U32), m("timeout", U32), m("data", ADDRESS));
        public static final VarHandle EP = field(LAYOUT, "ep");
        public static final VarHandle LEN = field(LAYOUT, "len");
        public static final VarHandle TIMEOUT = field(LAYOUT, "timeout");
        public static final VarHandle DATA = field(LAYOUT, "data");

        private BulkTransfer() {
        }

        /** Fills {@code b} for one bulk transfer of the first {@code length} bytes of {@code data} on {@code endpoint}. */
        public static void set(MemorySegment b, int endpoint, MemorySegment data, long length, int timeoutMs) {
            java.util.Objects.checkFromIndexSize(0, length, data.byteSize());
            EP.set(b, endpoint);
            LEN.set(b, (int) length);
            TIMEOUT.set(b, timeoutMs);
            DATA.set(b, data);
        }
    }

    /** {@code struct usbdevfs_setinterface}: USBDEVFS_SETINTERFACE. */
    public static final class SetInterface {
        public static final StructLayout LAYOUT = struct("usbdevfs_setinterface",
                m("interface", U32), m("altsetting", U32));
        public static final VarHandle INTERFACE = field(LAYOUT, "interface");
        public static final VarHandle ALTSETTING = field(LAYOUT, "altsetting");

        private SetInterface() {
        }

        public static void set(MemorySegment s, int interfaceNumber, int alternateSetting) {
            INTERFACE.set(s, interfaceNumber);
            ALTSETTING.set(s, alternateSetting);
        }
    }

    /** {@code struct usbdevfs_getdriver}: USBDEVFS_GETDRIVER (which kernel driver holds an interface). */
    public static final class GetDriver {
        public static final StructLayout LAYOUT = struct("usbdevfs_getdriver",
                m("interface", U32), chars("driver", MAXDRIVERNAME + 1));
        public static final VarHandle INTERFACE = field(LAYOUT, "interface");
        public static final long DRIVER_OFFSET = CLayouts.offset(LAYOUT, "driver");

        private GetDriver() {
        }
    }

    /** {@code struct usbdevfs_connectinfo}: USBDEVFS_CONNECTINFO. */
    public static final class ConnectInfo {
        public static final StructLayout LAYOUT = struct("usbdevfs_connectinfo", m("devnum", U32), m("slow", U8));
        public static final VarHandle DEVNUM = field(LAYOUT, "devnum");
        public static final VarHandle SLOW = field(LAYOUT, "slow");

        private ConnectInfo() {
        }
    }

    /** {@code struct usbdevfs_iso_packet_desc}. */
    public static final class IsoPacketDesc {
        public static final StructLayout LAYOUT = struct("usbdevfs_iso_packet_desc",
                m("length", U32), m("actual_length", U32), m("status", U32));

        private IsoPacketDesc() {
        }
    }

    /**
     * {@code struct usbdevfs_urb} with no {@code iso_frame_desc} entries (bulk, interrupt, control
     * URBs). {@code number_of_packets} shares its place with {@code stream_id} (an anonymous union).
     */
    public static final class Urb {
        public static final StructLayout LAYOUT = struct("usbdevfs_urb",
                m("type", U8), m("endpoint", U8), m("status", U32), m("flags", U32), m("buffer", ADDRESS),
                m("buffer_length", U32), m("actual_length", U32), m("start_frame", U32),
                m("number_of_packets", U32), m("error_count", U32), m("signr", U32), m("usercontext", ADDRESS),
                MemoryLayout.sequenceLayout(0, IsoPacketDesc.LAYOUT).withName("iso_frame_desc"));
        public static final VarHandle TYPE = field(LAYOUT, "type");
        public static final VarHandle ENDPOINT = field(LAYOUT, "endpoint");
        public static final VarHandle STATUS = field(LAYOUT, "status");
        public static final VarHandle FLAGS = field(LAYOUT, "flags");
        public static final VarHandle BUFFER = field(LAYOUT, "buffer");
        public static final VarHandle BUFFER_LENGTH = field(LAYOUT, "buffer_length");
        public static final VarHandle ACTUAL_LENGTH = field(LAYOUT, "actual_length");
        public static final VarHandle START_FRAME = field(LAYOUT, "start_frame");
        public static final VarHandle NUMBER_OF_PACKETS = field(LAYOUT, "number_of_packets");
        /** Same storage as {@link #NUMBER_OF_PACKETS}: the C union's other member. */
        public static final VarHandle STREAM_ID = NUMBER_OF_PACKETS;
        public static final VarHandle ERROR_COUNT = field(LAYOUT, "error_count");
        public static final VarHandle SIGNR = field(LAYOUT, "signr");
        public static final VarHandle USERCONTEXT = field(LAYOUT, "usercontext");
        private static final long TYPE_AT = CLayouts.offset(LAYOUT, "type");
        private static final long ENDPOINT_AT = CLayouts.offset(LAYOUT, "endpoint");
        private static final long STATUS_AT = CLayouts.offset(LAYOUT, "status");
        private static final long FLAGS_AT = CLayouts.offset(LAYOUT, "flags");
        private static final long BUFFER_AT = CLayouts.offset(LAYOUT, "buffer");
        private static final long BUFFER_LENGTH_AT = CLayouts.offset(LAYOUT, "buffer_length");
        private static final long ACTUAL_LENGTH_AT = CLayouts.offset(LAYOUT, "actual_length");
        private static final long USERCONTEXT_AT = CLayouts.offset(LAYOUT, "usercontext");

        private Urb() {
        }

        /** Fills {@code urb} (zeroed first) for one transfer without iso packets. */
        public static void set(MemorySegment urb, int type, int endpoint, int flags, long buffer, int length, long usercontext) {
            CLayouts.zero(urb, LAYOUT);
            urb.set(JAVA_BYTE, TYPE_AT, (byte) type);
            urb.set(JAVA_BYTE, ENDPOINT_AT, (byte) endpoint);
            urb.set(JAVA_INT, FLAGS_AT, flags);
            urb.set(JAVA_LONG, BUFFER_AT, buffer);
            urb.set(JAVA_INT, BUFFER_LENGTH_AT, length);
            urb.set(JAVA_LONG, USERCONTEXT_AT, usercontext);
        }

        /** The completion status: 0 or {@code -errno}. */
        public static int status(MemorySegment urb) {
            return urb.get(JAVA_INT, STATUS_AT);
        }

        public static void status(MemorySegment urb, int status) {
            urb.set(JAVA_INT, STATUS_AT, status);
        }

        public static int actualLength(MemorySegment urb) {
            return urb.get(JAVA_INT, ACTUAL_LENGTH_AT);
        }

        public static void actualLength(MemorySegment urb, int length) {
            urb.set(JAVA_INT, ACTUAL_LENGTH_AT, length);
        }

        public static int bufferLength(MemorySegment urb) {
            return urb.get(JAVA_INT, BUFFER_LENGTH_AT);
        }
    }

    /** {@code struct usbdevfs_ioctl}: USBDEVFS_IOCTL (e.g. USBDEVFS_DISCONNECT of one interface's driver). */
    public static final class IoctlReq {
        public static final StructLayout LAYOUT = struct("usbdevfs_ioctl",
                m("ifno", U32), m("ioctl_code", U32), m("data", ADDRESS));
        public static final VarHandle IFNO = field(LAYOUT, "ifno");
        public static final VarHandle IOCTL_CODE = field(LAYOUT, "ioctl_code");
        public static final VarHandle DATA = field(LAYOUT, "data");

        private IoctlReq() {
        }
    }

    /** {@code struct usbdevfs_disconnect_claim}: USBDEVFS_DISCONNECT_CLAIM. */
    public static final class DisconnectClaim {
        public static final StructLayout LAYOUT = struct("usbdevfs_disconnect_claim",
                m("interface", U32), m("flags", U32), chars("driver", MAXDRIVERNAME + 1));
        public static final VarHandle INTERFACE = field(LAYOUT, "interface");
        public static final VarHandle FLAGS = field(LAYOUT, "flags");
        public static final long DRIVER_OFFSET = CLayouts.offset(LAYOUT, "driver");

        private DisconnectClaim() {
        }

        public static void set(MemorySegment dc, int interfaceNumber, int flags) {
            INTERFACE.set(dc, interfaceNumber);
            FLAGS.set(dc, flags);
        }
    }
}
