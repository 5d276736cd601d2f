package dev.gadget4j;

import dev.gadget4j.descriptor.ConfigurationDescriptor;
import dev.gadget4j.descriptor.DeviceDescriptor;
import dev.gadget4j.descriptor.SetupPacket;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * An open device on the host side: control transfers, configuration and interface selection,
 * and bulk I/O with several URBs in flight.
 *
 * <p>Endpoint arguments are USB endpoint addresses as the host sees them (bit 7 set for IN).
 *
 * <p>The typed view: {@link #device()} and {@link #configuration()} parse the descriptors
 * ({@code configuration().interfaceSetting(0, 0).endpoint(Direction.IN, TransferType.BULK)}), and
 * {@link #control(SetupPacket, MemorySegment, Duration)} takes a {@link SetupPacket}. The byte
 * arrays and the five-int {@link #control(int, int, int, int, MemorySegment, Duration)} are the
 * lower-level way the typed methods are built on.
 */
public interface HostDevice extends AutoCloseable {

    /** Where it was found. */
    UsbDeviceInfo info();

    /** The 18-byte device descriptor. */
    byte[] deviceDescriptor();

    /** The full descriptor set of the active configuration (configuration, interfaces, endpoints...). */
    byte[] configurationDescriptor();

    /** The device descriptor, parsed. */
    default DeviceDescriptor device() {
        return DeviceDescriptor.parse(deviceDescriptor());
    }

    /** The active configuration, parsed: its interfaces, their alternate settings and endpoints. */
    default ConfigurationDescriptor configuration() {
        return ConfigurationDescriptor.parse(configurationDescriptor());
    }

    /**
     * A control transfer described by {@code setup}: its data stage uses the first
     * {@code setup.length()} bytes of {@code data} (read into them for a device-to-host request).
     *
     * @return bytes transferred in the data stage
     * @throws IllegalArgumentException when {@code data} is shorter than wLength
     * @throws GadgetException          EPIPE if the device stalled it, ETIMEDOUT after {@code timeout}
     */
    default int control(SetupPacket setup, MemorySegment data, Duration timeout) {
        if (data.byteSize() < setup.length()) {
            throw new IllegalArgumentException(setup + ": wLength " + setup.length() + " but only "
                    + data.byteSize() + " bytes of data");
        }
        return control(setup.requestType(), setup.request(), setup.value(), setup.index(),
                data.asSlice(0, setup.length()), timeout);
    }

    /**
     * A control transfer without a data stage.
     *
     * @throws IllegalArgumentException when {@code setup} has a non-zero wLength
     */
    default int control(SetupPacket setup, Duration timeout) {
        if (setup.length() != 0) {
            throw new IllegalArgumentException(setup + " has a data stage of " + setup.length() + " bytes: pass data");
        }
        try (Arena arena = Arena.ofConfined()) {
            return control(setup, arena.allocate(1).asSlice(0, 0), timeout);
        }
    }

    /**
     * A control transfer from its raw fields (the lower-level form of
     * {@link #control(SetupPacket, MemorySegment, Duration)}). {@code data}'s size is wLength; the
     * direction comes from bit 7 of {@code requestType}.
     *
     * @return bytes transferred in the data stage
     * @throws GadgetException EPIPE if the device stalled it, ETIMEDOUT after {@code timeout}
     */
    int control(int requestType, int request, int value, int index, MemorySegment data, Duration timeout);

    /**
     * SET_CONFIGURATION; the gadget's functions then see ENABLE (or DISABLE for 0). Interfaces
     * claimed through this handle are released first, as usbfs requires.
     */
    void setConfiguration(int configuration);

    /** Claims an interface for I/O (detaching a kernel driver first on Linux). */
    void claimInterface(int interfaceNumber);

    /** Releases a claimed interface. */
    void releaseInterface(int interfaceNumber);

    /** SET_INTERFACE: the function sees DISABLE then ENABLE, pending gadget I/O fails with ESHUTDOWN. */
    void setInterface(int interfaceNumber, int alternateSetting);

    /**
     * A blocking bulk transfer.
     *
     * @return bytes transferred
     */
    int bulk(int endpoint, MemorySegment data, Duration timeout);

    /**
     * Submits a bulk URB; several may be in flight per endpoint and complete in order.
     *
     * @param zeroPacket for OUT: end with a zero-length packet when the length is a multiple of the
     *                   packet size ({@code URB_ZERO_PACKET})
     */
    IoRequest submitBulk(int endpoint, MemorySegment data, boolean zeroPacket);

    /** CLEAR_FEATURE(ENDPOINT_HALT) on the endpoint, and resets its data toggle. */
    void clearHalt(int endpoint);

    @Override
    void close();
}
