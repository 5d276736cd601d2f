package dev.gadget4j;

import java.time.Duration;
import java.util.List;

/**
 * The host side of the bus the backend's gadgets appear on: usbfs ({@code /dev/bus/usb}) on
 * Linux, the simulated host in the simulator. Tests and tools use it to talk to a gadget.
 */
public interface UsbHost {

    /** The devices enumerated right now. */
    List<UsbDeviceInfo> devices();

    /**
     * Waits until a device with this VID:PID is enumerated and opens it.
     *
     * @throws GadgetException ETIMEDOUT if none appears within {@code timeout}
     */
    HostDevice open(int vendorId, int productId, Duration timeout);
}
