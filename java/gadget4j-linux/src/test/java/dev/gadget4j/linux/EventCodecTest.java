package dev.gadget4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gadget4j.Errno;
import dev.gadget4j.Event;
import dev.gadget4j.GadgetException;
import dev.gadget4j.descriptor.SetupPacket;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventCodecTest {
    /** Four events as f_fs.c copies them out: BIND, ENABLE, SETUP (vendor IN 0x5a), SUSPEND. */
    static byte[] sample() {
        byte[] b = new byte[48];
        b[8] = 0;
        b[12 + 8] = 2;
        byte[] setup = {(byte) 0xc1, 0x5a, 0x34, 0x12, 0x01, 0x00, 0x40, 0x00};
        System.arraycopy(setup, 0, b, 24, 8);
        b[24 + 8] = 4;
        b[36 + 8] = 5;
        return b;
    }

    @Test
    void decodesEveryTypeAndTheSetupPacket() {
        List<Event> events = EventCodec.decode(sample(), "ep0");
        assertEquals(List.of(new Event.Bind(), new Event.Enable(),
                new Event.Setup(new SetupPacket(0xc1, 0x5a, 0x1234, 1, 64)), new Event.Suspend()), events);
    }

    @Test
    void allTypeNumbers() {
        for (int t = 0; t <= 6; t++) {
            byte[] b = new byte[12];
            b[8] = (byte) t;
            assertEquals(t, EventCodec.decode(b, "ep0").getFirst().type());
        }
    }

    @Test
    void partialEvent_EIO() {
        GadgetException e = assertThrows(GadgetException.class, () -> EventCodec.decode(new byte[13], "ep0"));
        assertEquals(Errno.EIO, e.errno());
    }

    @Test
    void unknownType_EIO() {
        byte[] b = new byte[12];
        b[8] = 9;
        assertEquals(Errno.EIO, assertThrows(GadgetException.class, () -> EventCodec.decode(b, "ep0")).errno());
    }
}
