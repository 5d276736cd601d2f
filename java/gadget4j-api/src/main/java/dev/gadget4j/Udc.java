package dev.gadget4j;

import java.util.Objects;

/**
 * A USB device controller a gadget can be bound to, as {@link Backend#udcs()} lists them: a
 * directory of {@code /sys/class/udc} on Linux ({@code dummy_udc.0}, {@code fe980000.usb}), the
 * one simulated controller in the simulator.
 *
 * @param name the controller's name, what is written to a gadget's {@code UDC} attribute
 */
public record Udc(String name) {
    /** Checks the name is a plain, non-empty file name. */
    public Udc {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.contains("/") || name.contains("\n")) {
            throw new IllegalArgumentException("not a UDC name: '" + name + "'");
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
