package dev.gadget4j.descriptor;

import static dev.gadget4j.descriptor.TestBytes.bytes;
import static dev.gadget4j.descriptor.TestBytes.rejects;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.Speed;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Descriptor sets derived from one description equal the hand-built ones, byte for byte. */
class UsbFunctionTest {

    @Test
    void derivedSourceSink_isTheHandBuiltOne() {
        UsbFunction.Builder b = UsbFunction.builder("conf");
        FunctionInterface data = b.addInterface(InterfaceClass.VENDOR, "gadget4j conformance");
        FunctionEndpoint in = data.bulkIn();
        FunctionEndpoint out = data.bulkOut();
        UsbFunction f = b.build();

        assertEquals(Descriptors.sourceSink(), f.descriptors());
        assertEquals(Descriptors.sourceSink(), UsbFunction.sourceSink("conf", "gadget4j conformance").descriptors());
        assertEquals(f.strings(), UsbFunction.sourceSink("conf", "gadget4j conformance").strings());
        assertArrayEquals(DescriptorsGoldenTest.SOURCE_SINK, f.descriptors().toBytes());
        assertEquals(Strings.en("gadget4j conformance"), f.strings());
        assertEquals(1, in.fileNumber());
        assertEquals(0x81, in.address());
        assertEquals(2, out.fileNumber());
        assertEquals(0x02, out.address());
        assertEquals(f.descriptors().endpoint(1).address(), in.address());
        assertEquals(List.of(in, out), f.endpoints());
        assertEquals(Descriptors.sourceSink(4), sourceSink(4));
    }

    private static Descriptors sourceSink(int burst) {
        UsbFunction.Builder b = UsbFunction.builder("x").superSpeedMaxBurst(burst);
        FunctionInterface i = b.addInterface(InterfaceClass.VENDOR, "s");
        i.bulkIn();
        i.bulkOut();
        return b.build().descriptors();
    }

    @Test
    void interruptEndpoint_intervalsAndSizesPerSpeed_andAHidDescriptorInPlace() {
        UsbDescriptor.Raw hid = UsbDescriptor.Raw.of(DescriptorType.CLASS_FUNCTIONAL, 0x11, 0x01, 0, 1, 0x22, 50, 0);
        UsbFunction.Builder b = UsbFunction.builder("hid").flags(EnumSet.of(FunctionFlag.ALL_CTRL_RECIP));
        b.addInterface(new InterfaceClass(0x03, 0, 0), null, hid).interrupt(Direction.IN, 128, 8);
        Descriptors d = b.build().descriptors();
        byte[] golden = bytes(
                0x03, 0, 0, 0, // magic
                105, 0, 0, 0, // length
                0x47, 0, 0, 0, // HAS_FS | HAS_HS | HAS_SS | ALL_CTRL_RECIP
                3, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, // counts
                9, 4, 0, 0, 1, 0x03, 0, 0, 0, // HID interface, no name: iInterface 0
                9, 0x21, 0x11, 0x01, 0, 1, 0x22, 50, 0, // the HID descriptor right after it
                7, 5, 0x81, 3, 64, 0, 8, // full speed: 64 bytes at most, every 8 frames
                9, 4, 0, 0, 1, 0x03, 0, 0, 0,
                9, 0x21, 0x11, 0x01, 0, 1, 0x22, 50, 0,
                7, 5, 0x81, 3, 128, 0, 7, // high speed: 2^(7-1) microframes = 8 ms
                9, 4, 0, 0, 1, 0x03, 0, 0, 0,
                9, 0x21, 0x11, 0x01, 0, 1, 0x22, 50, 0,
                7, 5, 0x81, 3, 128, 0, 7,
                6, 0x30, 0, 0, 128, 0); // companion: one packet per interval
        assertArrayEquals(golden, d.toBytes());
        assertEquals(EnumSet.of(FunctionFlag.ALL_CTRL_RECIP), d.behaviour());
        assertEquals(d, Descriptors.parse(golden));
    }

    @Test
    void numbersAndStringIndicesRunAcrossInterfaces() {
        UsbFunction.Builder b = UsbFunction.builder("two").flags(EnumSet.of(FunctionFlag.VIRTUAL_ADDR))
                .speeds(EnumSet.of(Speed.HIGH));
        FunctionInterface control = b.addInterface(InterfaceClass.vendor(1, 0), "control");
        FunctionEndpoint events = control.interrupt(Direction.IN, 16, 1);
        FunctionInterface quiet = b.addInterface(InterfaceClass.vendor(2, 0), null);
        FunctionInterface data = b.addInterface(InterfaceClass.vendor(3, 0), "data");
        FunctionEndpoint sink = data.bulkOut();
        assertTrue(assertThrows(IllegalStateException.class, control::bulkIn).getMessage()
                .contains("add endpoints to the last interface added"));
        UsbFunction f = b.build();
        assertTrue(assertThrows(IllegalStateException.class, data::bulkIn).getMessage().contains("already built"));

        assertEquals(List.of(0, 1, 2), f.interfaces().stream().map(FunctionInterface::number).toList());
        assertEquals(List.of(1, 0, 2), f.descriptors().descriptors(Speed.HIGH).stream()
                .filter(d -> d instanceof UsbDescriptor.Interface).map(d -> ((UsbDescriptor.Interface) d).stringIndex())
                .toList());
        assertEquals(Strings.en("control", "data"), f.strings());
        assertEquals(0x81, events.address());
        assertEquals(0x02, sink.address());
        assertEquals(4, events.interval(Speed.HIGH), "1 ms = 8 microframes = 2^(4-1)");
        assertEquals("ep02", f.descriptors().endpoint(sink.fileNumber()).fileName());
        assertEquals(List.of(), quiet.endpoints());
        assertEquals(List.of(Speed.HIGH), List.copyOf(EnumSet.copyOf(
                List.of(Speed.values()).stream().filter(s -> !f.descriptors().descriptors(s).isEmpty()).toList())));
    }

    @Test
    void refusesWhatItCannotDerive() {
        assertThrows(IllegalArgumentException.class, () -> UsbFunction.builder("none").build());
        UsbFunction.Builder b = UsbFunction.builder("big");
        FunctionInterface i = b.addInterface(InterfaceClass.VENDOR, null);
        rejects(() -> i.interrupt(Direction.IN, 2048, 1), "maxPacketSize");
        rejects(() -> new FunctionEndpoint(1, 0x81, TransferType.ISOCHRONOUS, 0, 0, List.of()), "not derived");
    }
}
