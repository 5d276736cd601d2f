package dev.gadget4j.linux;

import dev.gadget4j.Errno;
import dev.gadget4j.Event;
import dev.gadget4j.GadgetException;
import dev.gadget4j.descriptor.SetupPacket;
import java.util.ArrayList;
import java.util.List;

/** Decodes {@code struct usb_functionfs_event}s (12 bytes each: setup packet, type, 3 pad) read from ep0. */
final class EventCodec {
    private EventCodec() {
    }

    static List<Event> decode(byte[] bytes, String ep0) {
        if (bytes.length % LinuxFunctionFs.EVENT_SIZE != 0) {
            throw new GadgetException("read", ep0, Errno.EIO,
                    "ep0 returned " + bytes.length + " bytes, not a multiple of the 12-byte event");
        }
        List<Event> out = new ArrayList<>();
        for (int off = 0; off < bytes.length; off += LinuxFunctionFs.EVENT_SIZE) {
            int type = bytes[off + 8] & 0xff;
            out.add(switch (type) {
                case 0 -> new Event.Bind();
                case 1 -> new Event.Unbind();
                case 2 -> new Event.Enable();
                case 3 -> new Event.Disable();
                case 4 -> new Event.Setup(SetupPacket.parse(bytes, off));
                case 5 -> new Event.Suspend();
                case 6 -> new Event.Resume();
                default -> throw new GadgetException("read", ep0, Errno.EIO, "unknown FunctionFS event type " + type);
            });
        }
        return out;
    }
}
