package dev.gadget4j.descriptor;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A typed handle on one interface of a {@link UsbFunction}, returned by
 * {@link UsbFunction.Builder#addInterface}: its class, its name (a string whose index the library
 * assigns), class-specific descriptors, and the endpoints added to it, each of which gets the next
 * endpoint file number. Endpoints can be added only until the function is built.
 */
public final class FunctionInterface {
    private final UsbFunction.Builder owner;
    private final int number;
    private final InterfaceClass interfaceClass;
    private final Optional<String> name;
    private final List<UsbDescriptor> classDescriptors;
    private final List<FunctionEndpoint> endpoints = new ArrayList<>();

    FunctionInterface(UsbFunction.Builder owner, int number, InterfaceClass interfaceClass, Optional<String> name,
                      List<UsbDescriptor> classDescriptors) {
        this.owner = owner;
        this.number = number;
        this.interfaceClass = Objects.requireNonNull(interfaceClass, "interfaceClass");
        this.name = name;
        this.classDescriptors = List.copyOf(classDescriptors);
    }

    /** The function-local bInterfaceNumber, in the order interfaces were added (0 first). */
    public int number() {
        return number;
    }

    /** bInterfaceClass and the rest. */
    public InterfaceClass interfaceClass() {
        return interfaceClass;
    }

    /** The interface's name (iInterface), if it has one. */
    public Optional<String> name() {
        return name;
    }

    /** Class-specific descriptors between the interface descriptor and its first endpoint. */
    public List<UsbDescriptor> classDescriptors() {
        return classDescriptors;
    }

    /** The endpoints, in the order added. */
    public List<FunctionEndpoint> endpoints() {
        return List.copyOf(endpoints);
    }

    /** Adds a bulk endpoint in {@code direction}; its packet size follows the speed (64, 512, 1024). */
    public FunctionEndpoint bulk(Direction direction, UsbDescriptor... classDescriptors) {
        return add(direction, TransferType.BULK, 0, 0, classDescriptors);
    }

    /** A bulk IN endpoint (device to host). */
    public FunctionEndpoint bulkIn() {
        return bulk(Direction.IN);
    }

    /** A bulk OUT endpoint (host to device). */
    public FunctionEndpoint bulkOut() {
        return bulk(Direction.OUT);
    }

    /**
     * Adds an interrupt endpoint: packets of up to {@code maxPacketSize} bytes (64 at most at full
     * speed), polled every {@code intervalMillis} milliseconds.
     */
    public FunctionEndpoint interrupt(Direction direction, int maxPacketSize, int intervalMillis,
                                      UsbDescriptor... classDescriptors) {
        return add(direction, TransferType.INTERRUPT, maxPacketSize, intervalMillis, classDescriptors);
    }

    private FunctionEndpoint add(Direction direction, TransferType type, int size, int interval,
                                 UsbDescriptor... classDescriptors) {
        int file = owner.nextEndpoint(this);
        FunctionEndpoint e = new FunctionEndpoint(file, direction.bit() | file, type, size, interval,
                List.of(classDescriptors));
        endpoints.add(e);
        return e;
    }

    @Override
    public String toString() {
        return "interface " + number + " " + interfaceClass + name.map(n -> " '" + n + "'").orElse("") + " " + endpoints;
    }
}
