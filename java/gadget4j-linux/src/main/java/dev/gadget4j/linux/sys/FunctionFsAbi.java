package dev.gadget4j.linux.sys;

import static dev.gadget4j.linux.sys.CLayouts.LE16;
import static dev.gadget4j.linux.sys.CLayouts.U32;
import static dev.gadget4j.linux.sys.CLayouts.U64;
import static dev.gadget4j.linux.sys.CLayouts.U8;
import static dev.gadget4j.linux.sys.CLayouts.field;
import static dev.gadget4j.linux.sys.CLayouts.m;
import static dev.gadget4j.linux.sys.CLayouts.packed;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/** Structs of {@code linux/usb/functionfs.h} and {@code linux/usb/ch9.h}. */
public final class FunctionFsAbi {
    private FunctionFsAbi() {
    }

    /** {@code struct usb_ffs_dmabuf_transfer_req} (packed, 16 bytes): FUNCTIONFS_DMABUF_TRANSFER's argument. */
    public static final class DmabufTransferReq {
        public static final StructLayout LAYOUT = packed("usb_ffs_dmabuf_transfer_req",
                m("fd", U32), m("flags", U32), m("length", U64));
        public static final VarHandle FD = field(LAYOUT, "fd");
        public static final VarHandle FLAGS = field(LAYOUT, "flags");
        public static final VarHandle LENGTH = field(LAYOUT, "length");

        private DmabufTransferReq() {
        }
    }

    /** {@code struct usb_ctrlrequest} (packed, 8 bytes): a SETUP packet, wire order. */
    public static final class CtrlRequest {
        public static final StructLayout LAYOUT = packed("usb_ctrlrequest",
                m("bRequestType", U8), m("bRequest", U8), m("wValue", LE16), m("wIndex", LE16), m("wLength", LE16));
        public static final VarHandle B_REQUEST_TYPE = field(LAYOUT, "bRequestType");
        public static final VarHandle B_REQUEST = field(LAYOUT, "bRequest");
        public static final VarHandle W_VALUE = field(LAYOUT, "wValue");
        public static final VarHandle W_INDEX = field(LAYOUT, "wIndex");
        public static final VarHandle W_LENGTH = field(LAYOUT, "wLength");

        private CtrlRequest() {
        }
    }

    /**
     * {@code struct usb_functionfs_event} (packed, 12 bytes), read from ep0. The C struct wraps the
     * setup packet in a one-member union {@code u}; here the member is called {@code setup}.
     */
    public static final class Event {
        public static final StructLayout LAYOUT = packed("usb_functionfs_event",
                CtrlRequest.LAYOUT.withName("setup"), m("type", U8),
                MemoryLayout.sequenceLayout(3, U8).withName("_pad"));
        public static final long SETUP_OFFSET = CLayouts.offset(LAYOUT, "setup");
        public static final VarHandle TYPE = field(LAYOUT, "type");

        private Event() {
        }
    }

    /**
     * {@code struct usb_endpoint_descriptor} as {@code sizeof} sees it (packed, 9 bytes: the audio
     * fields {@code bRefresh}/{@code bSynchAddress} included), which is what FUNCTIONFS_ENDPOINT_DESC
     * copies out although descriptors on the wire are 7 bytes.
     */
    public static final class EndpointDescriptor {
        public static final StructLayout LAYOUT = packed("usb_endpoint_descriptor",
                m("bLength", U8), m("bDescriptorType", U8), m("bEndpointAddress", U8), m("bmAttributes", U8),
                m("wMaxPacketSize", LE16), m("bInterval", U8), m("bRefresh", U8), m("bSynchAddress", U8));
        public static final VarHandle B_LENGTH = field(LAYOUT, "bLength");
        public static final VarHandle B_DESCRIPTOR_TYPE = field(LAYOUT, "bDescriptorType");
        public static final VarHandle B_ENDPOINT_ADDRESS = field(LAYOUT, "bEndpointAddress");
        public static final VarHandle BM_ATTRIBUTES = field(LAYOUT, "bmAttributes");
        public static final VarHandle W_MAX_PACKET_SIZE = field(LAYOUT, "wMaxPacketSize");
        public static final VarHandle B_INTERVAL = field(LAYOUT, "bInterval");

        private EndpointDescriptor() {
        }
    }
}
