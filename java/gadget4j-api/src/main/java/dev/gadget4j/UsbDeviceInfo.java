package dev.gadget4j;

/**
 * A device the host has enumerated.
 *
 * @param bus       bus number
 * @param address   device address on the bus
 * @param vendorId  idVendor
 * @param productId idProduct
 * @param speed     the speed it was enumerated at
 * @param path      where to open it ({@code /dev/bus/usb/002/002}, or a simulated name)
 */
public record UsbDeviceInfo(int bus, int address, int vendorId, int productId, Speed speed, String path) {
}
