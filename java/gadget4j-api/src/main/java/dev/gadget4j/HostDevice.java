package dev.gadget4j;

import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * An open device on the host side: control transfers, configuration and interface selection,
 * and bulk I/O with several URBs in flight.
 *
 * <p>Endpoint arguments are USB endpoint addresses as the host sees them (bit 7 set for IN).
 */
public interface HostDevice extends AutoCloseable {

    /** Where it was found. */
    UsbDeviceInfo info();

    /** The 18-byte device descriptor. */
    byte[] deviceDescriptor();

    /** The full descriptor set of the active configuration (configuration, interfaces, endpoints...). */
    byte[] configurationDescriptor();

    /**
     * A control transfer. {@code data}'s size is wLength; the direction comes from bit 7 of
     * {@code requestType}.
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
