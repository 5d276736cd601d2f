package dev.gadget4j.sim;

import dev.gadget4j.Speed;
import dev.gadget4j.descriptor.ConfigurationDescriptor;
import dev.gadget4j.descriptor.Descriptors;
import dev.gadget4j.descriptor.EndpointInfo;
import dev.gadget4j.descriptor.UsbDescriptor;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * What the host is shown of a bound function, as the kernel builds it: f_fs.c's rewrite of the
 * function's descriptors at bind time and composite.c's configuration around them. The simulated
 * UDC answers GET_DESCRIPTOR with this; a driver never needs it (its host reads the real thing).
 */
final class BoundDescriptors {
    /** CONFIG_USB_GADGET_VBUS_DRAW's default: what composite declares for a bus-powered configuration with MaxPower 0. */
    static final int DEFAULT_VBUS_DRAW_MA = 2;

    private BoundDescriptors() {
    }

    /**
     * The function's descriptors as the host sees them at {@code speed} once f_fs.c has bound
     * them ({@code __ffs_func_bind_do_descs}, {@code __ffs_func_bind_do_nums}):
     * <ul>
     * <li>interface numbers become interface ids handed out from {@code firstInterface} in order
     * of first appearance (over the speeds' sets, slowest first);
     * <li>non-zero string indices {@code i} become {@code firstString + i - 1};
     * <li>endpoint addresses become {@code hostAddress} of the endpoint file, unless
     * {@link Descriptors#VIRTUAL_ADDR} is set, in which case f_fs.c restores the function's own;
     * <li>a zero wMaxPacketSize above full speed takes the full-speed descriptor's value;
     * <li>everything else, IAD bFirstInterface included, is left as written.
     * </ul>
     * Empty when the function has no set at or below {@code speed}.
     *
     * @param hostAddress the address the UDC gave each endpoint file
     */
    static List<UsbDescriptor> of(Descriptors d, Speed speed, int firstInterface, int firstString,
                                  ToIntFunction<EndpointInfo> hostAddress) {
        boolean virtual = (d.flags() & Descriptors.VIRTUAL_ADDR) != 0;
        List<Integer> interfaceOrder = interfaceOrder(d);
        List<UsbDescriptor> out = new ArrayList<>();
        int ep = 0;
        for (UsbDescriptor x : d.effectiveDescriptors(speed)) {
            out.add(switch (x) {
                case UsbDescriptor.Interface i -> new UsbDescriptor.Interface(
                        u8("host interface id", firstInterface + interfaceOrder.indexOf(i.number())),
                        i.alternateSetting(), i.endpointCount(), i.interfaceClass(), i.subClass(), i.protocol(),
                        hostString(i.stringIndex(), firstString));
                case UsbDescriptor.InterfaceAssociation a -> new UsbDescriptor.InterfaceAssociation(a.firstInterface(),
                        a.interfaceCount(), a.functionClass(), a.subClass(), a.protocol(),
                        hostString(a.stringIndex(), firstString));
                case UsbDescriptor.Endpoint e -> {
                    EndpointInfo info = d.endpoints().get(ep++);
                    UsbDescriptor.Endpoint full = info.descriptors().get(Speed.FULL);
                    int size = e.maxPacketSize() == 0 && full != null ? full.maxPacketSize() : e.maxPacketSize();
                    int address = virtual ? e.address() : u8("host endpoint address", hostAddress.applyAsInt(info));
                    yield new UsbDescriptor.Endpoint(address, e.attributes(), size, e.interval(), e.audio(),
                            e.refresh(), e.synchAddress());
                }
                default -> x;
            });
        }
        return List.copyOf(out);
    }

    /** {@link #of} for a function alone in its configuration, strings from 1, endpoint addresses kept. */
    static List<UsbDescriptor> of(Descriptors d, Speed speed) {
        return of(d, speed, 0, 1, EndpointInfo::address);
    }

    /**
     * The configuration a host sees when the function is alone in it, with the defaults a fresh
     * configfs configuration has: bus-powered (bmAttributes 0x80), {@link #DEFAULT_VBUS_DRAW_MA},
     * no iConfiguration.
     */
    static ConfigurationDescriptor configuration(Descriptors d, Speed speed, int configurationValue) {
        return new ConfigurationDescriptor(d.interfaceCount(), configurationValue, 0,
                ConfigurationDescriptor.ATTRIBUTES_ONE, encodeMaxPower(speed, 0), of(d, speed));
    }

    /**
     * bMaxPower of a bus-powered configuration drawing {@code milliamps}, as composite.c's
     * {@code encode_bMaxPower} writes it: 0 mA stands for {@link #DEFAULT_VBUS_DRAW_MA}; 2 mA
     * units capped at 500 mA below SuperSpeed, 8 mA units capped at 900 mA (so 896 mA) at
     * SuperSpeed; both round down.
     */
    static int encodeMaxPower(Speed speed, int milliamps) {
        if (milliamps < 0) {
            throw new IllegalArgumentException("milliamps must not be negative: " + milliamps);
        }
        int draw = milliamps == 0 ? DEFAULT_VBUS_DRAW_MA : milliamps;
        return speed == Speed.SUPER ? Math.min(draw, 900) / 8 : Math.min(draw, 500) / 2;
    }

    /** Interface numbers in order of first appearance over every speed's set, as f_fs.c meets them. */
    private static List<Integer> interfaceOrder(Descriptors d) {
        Set<Integer> order = new LinkedHashSet<>();
        for (Speed s : Speed.values()) {
            for (UsbDescriptor x : d.descriptors(s)) {
                if (x instanceof UsbDescriptor.Interface i) {
                    order.add(i.number());
                }
            }
        }
        return List.copyOf(order);
    }

    private static int hostString(int index, int firstString) {
        return index == 0 ? 0 : u8("host string index", firstString + index - 1);
    }

    private static int u8(String what, int value) {
        if (value < 0 || value > 255) {
            throw new IllegalArgumentException(what + " must fit a byte: " + value);
        }
        return value;
    }
}
