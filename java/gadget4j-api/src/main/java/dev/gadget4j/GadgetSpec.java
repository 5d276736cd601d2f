package dev.gadget4j;

import dev.gadget4j.descriptor.UsbFunction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a gadget is composed from: the device descriptor fields, one configuration and the names of
 * its FunctionFS functions, in order.
 *
 * @param name         the configfs directory name (also names the mount points)
 * @param vendorId     idVendor
 * @param productId    idProduct
 * @param bcdDevice    bcdDevice
 * @param manufacturer iManufacturer string (US English); this and the next two hold at most
 *                     {@link #MAX_STRING_BYTES} bytes of UTF-8, as configfs requires (else a
 *                     {@link GadgetException} with EOVERFLOW)
 * @param product      iProduct string
 * @param serialNumber iSerialNumber string
 * @param maxSpeed     the fastest speed the gadget offers ({@code max_speed})
 * @param maxPowerMa   bMaxPower of the configuration, in mA
 * @param functions    FunctionFS function names, at least one
 */
public record GadgetSpec(String name, int vendorId, int productId, int bcdDevice, String manufacturer,
                         String product, String serialNumber, Speed maxSpeed, int maxPowerMa,
                         List<String> functions) {

    /** USB_MAX_STRING_LEN: the most bytes configfs takes for a gadget string. */
    public static final int MAX_STRING_BYTES = 126;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");

    public GadgetSpec {
        checkName("name", name);
        check16("vendorId", vendorId);
        check16("productId", productId);
        check16("bcdDevice", bcdDevice);
        checkString("manufacturer", manufacturer);
        checkString("product", product);
        checkString("serialnumber", serialNumber);
        Objects.requireNonNull(maxSpeed, "maxSpeed");
        if (maxPowerMa < 0 || maxPowerMa > 900) {
            throw new IllegalArgumentException("maxPowerMa must be 0..900, got " + maxPowerMa);
        }
        functions = List.copyOf(functions);
        if (functions.isEmpty()) {
            throw new IllegalArgumentException("a gadget needs at least one function");
        }
        for (String f : functions) {
            checkName("function name", f);
        }
        if (functions.stream().distinct().count() != functions.size()) {
            throw new IllegalArgumentException("function names must be distinct: " + functions);
        }
    }

    /**
     * configfs's {@code usb_string_copy}: at most {@value #MAX_STRING_BYTES} bytes (UTF-8, as the
     * attribute file is written), else EOVERFLOW.
     */
    private static void checkString(String attribute, String value) {
        Objects.requireNonNull(value, attribute);
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_STRING_BYTES) {
            throw new GadgetException("write", "strings/0x409/" + attribute, Errno.EOVERFLOW,
                    "a gadget string holds at most " + MAX_STRING_BYTES + " bytes of UTF-8 (configfs's USB_MAX_STRING_LEN), got "
                            + bytes);
        }
    }

    private static void check16(String field, int value) {
        if (value < 0 || value > 0xffff) {
            throw new IllegalArgumentException(field + " must fit in 16 bits, got 0x" + Integer.toHexString(value));
        }
    }

    private static void checkName(String what, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " must be 1-64 characters of [A-Za-z0-9_.-], got " + value);
        }
    }

    /** A builder with Linux's Gadget Zero identity (0525:a4a4) and SuperSpeed. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link GadgetSpec}. */
    public static final class Builder {
        private String name = "gadget4j";
        private int vendorId = 0x0525;
        private int productId = 0xa4a4;
        private int bcdDevice = 0x0100;
        private String manufacturer = "gadget4j";
        private String product = "gadget4j device";
        private String serialNumber = "0001";
        private Speed maxSpeed = Speed.SUPER;
        private int maxPowerMa = 100;
        private final List<String> functions = new ArrayList<>();

        private Builder() {
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder vendorId(int vendorId) {
            this.vendorId = vendorId;
            return this;
        }

        public Builder productId(int productId) {
            this.productId = productId;
            return this;
        }

        public Builder bcdDevice(int bcdDevice) {
            this.bcdDevice = bcdDevice;
            return this;
        }

        public Builder manufacturer(String manufacturer) {
            this.manufacturer = manufacturer;
            return this;
        }

        public Builder product(String product) {
            this.product = product;
            return this;
        }

        public Builder serialNumber(String serialNumber) {
            this.serialNumber = serialNumber;
            return this;
        }

        public Builder maxSpeed(Speed maxSpeed) {
            this.maxSpeed = maxSpeed;
            return this;
        }

        public Builder maxPowerMa(int maxPowerMa) {
            this.maxPowerMa = maxPowerMa;
            return this;
        }

        /** Adds a FunctionFS function described with {@link UsbFunction} (by its name). */
        public Builder function(UsbFunction function) {
            return function(function.name());
        }

        /** Adds a FunctionFS function by name (the lower-level form of {@link #function(UsbFunction)}). */
        public Builder function(String name) {
            functions.add(name);
            return this;
        }

        public GadgetSpec build() {
            return new GadgetSpec(name, vendorId, productId, bcdDevice, manufacturer, product, serialNumber,
                    maxSpeed, maxPowerMa, functions);
        }
    }
}
