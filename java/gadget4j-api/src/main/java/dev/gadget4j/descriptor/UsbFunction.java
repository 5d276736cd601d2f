package dev.gadget4j.descriptor;

import dev.gadget4j.Speed;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A FunctionFS function described once, from which the library derives what FunctionFS needs:
 * the full, high and SuperSpeed descriptor sets (bulk packets of 64, 512 and 1024 bytes,
 * interrupt intervals in frames or microframes, SuperSpeed companions), interface numbers,
 * endpoint file numbers and addresses, and string indices.
 *
 * <pre>{@code
 * UsbFunction.Builder b = UsbFunction.builder("stream");
 * FunctionInterface data = b.addInterface(InterfaceClass.VENDOR, "scope");
 * FunctionEndpoint in = data.bulkIn();            // ep1, address 0x81
 * FunctionEndpoint out = data.bulkOut();          // ep2, address 0x02
 * UsbFunction stream = b.build();
 * // GadgetSpec.builder().function(stream) ... gadget.start(stream); ffs.endpoint(in)
 * }</pre>
 *
 * <p>The hand-built {@link Descriptors} and {@link Strings} remain the lower-level way, for what
 * this layer does not derive (isochronous endpoints, alternate settings, MS OS descriptors, a set
 * that differs between speeds by more than packet sizes).
 */
public final class UsbFunction {
    private final String name;
    private final List<FunctionInterface> interfaces;
    private final List<FunctionEndpoint> endpoints;
    private final Set<FunctionFlag> flags;
    private final Descriptors descriptors;
    private final Strings strings;

    private UsbFunction(Builder b) {
        this.name = b.name;
        this.interfaces = List.copyOf(b.interfaces);
        this.endpoints = interfaces.stream().flatMap(i -> i.endpoints().stream()).toList();
        this.flags = Set.copyOf(b.flags);
        List<String> names = new ArrayList<>();
        List<Integer> stringIndex = new ArrayList<>();
        for (FunctionInterface i : interfaces) {
            i.name().ifPresentOrElse(n -> {
                names.add(n);
                stringIndex.add(names.size());
            }, () -> stringIndex.add(0));
        }
        Descriptors.Builder d = Descriptors.builder().flags(b.flags);
        for (Speed speed : b.speeds) {
            List<UsbDescriptor> set = new ArrayList<>();
            for (FunctionInterface i : interfaces) {
                InterfaceClass c = i.interfaceClass();
                set.add(new UsbDescriptor.Interface(i.number(), 0, i.endpoints().size(), c.code(), c.subClass(),
                        c.protocol(), stringIndex.get(i.number())));
                set.addAll(i.classDescriptors());
                for (FunctionEndpoint e : i.endpoints()) {
                    set.add(e.descriptor(speed));
                    if (speed == Speed.SUPER) {
                        set.add(e.companion(b.maxBurst));
                    }
                    set.addAll(e.classDescriptors());
                }
            }
            d.speed(speed, set);
        }
        this.descriptors = d.build();
        this.strings = names.isEmpty() ? Strings.empty() : Strings.en(names.toArray(String[]::new));
    }

    /** A builder for the function named {@code name} (its FunctionFS instance name). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * Gadget Zero's source/sink shape, typed: one vendor interface named {@code interfaceName},
     * {@code ep1} bulk IN and {@code ep2} bulk OUT; its descriptors are {@link Descriptors#sourceSink()}.
     */
    public static UsbFunction sourceSink(String name, String interfaceName) {
        Builder b = builder(name);
        FunctionInterface data = b.addInterface(InterfaceClass.VENDOR, interfaceName);
        data.bulkIn();
        data.bulkOut();
        return b.build();
    }

    /** The FunctionFS instance name. */
    public String name() {
        return name;
    }

    /** The interfaces, in number order. */
    public List<FunctionInterface> interfaces() {
        return interfaces;
    }

    /** The endpoints, in file order. */
    public List<FunctionEndpoint> endpoints() {
        return endpoints;
    }

    /** The behaviour flags. */
    public Set<FunctionFlag> flags() {
        return flags;
    }

    /** The derived descriptors blob. */
    public Descriptors descriptors() {
        return descriptors;
    }

    /** The derived strings blob (US English): the interface names in interface order. */
    public Strings strings() {
        return strings;
    }

    @Override
    public String toString() {
        return "UsbFunction[" + name + ", " + interfaces + ", flags=" + flags + "]";
    }

    /** Describes a {@link UsbFunction}. */
    public static final class Builder {
        private final String name;
        private final List<FunctionInterface> interfaces = new ArrayList<>();
        private EnumSet<FunctionFlag> flags = EnumSet.noneOf(FunctionFlag.class);
        private EnumSet<Speed> speeds = EnumSet.allOf(Speed.class);
        private int maxBurst = 15;
        private int endpointCount;
        private boolean built;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /** Behaviour flags, e.g. {@code EnumSet.of(FunctionFlag.ALL_CTRL_RECIP)}. */
        public Builder flags(Set<FunctionFlag> flags) {
            this.flags = flags.isEmpty() ? EnumSet.noneOf(FunctionFlag.class) : EnumSet.copyOf(flags);
            return this;
        }

        /** The speeds to write descriptor sets for; all three unless told. */
        public Builder speeds(Set<Speed> speeds) {
            if (speeds.isEmpty()) {
                throw new IllegalArgumentException("a function needs descriptors for at least one speed");
            }
            this.speeds = EnumSet.copyOf(speeds);
            return this;
        }

        /** bMaxBurst of the SuperSpeed bulk companions, 0..15 (15 unless told: bursts of 16 packets). */
        public Builder superSpeedMaxBurst(int maxBurst) {
            this.maxBurst = Wire.range("bMaxBurst", maxBurst, 0, 15);
            return this;
        }

        /**
         * Adds an interface; it gets the next interface number, and {@code name}, if not null, the
         * next string index. Add its endpoints through the handle.
         */
        public FunctionInterface addInterface(InterfaceClass interfaceClass, String name,
                                              UsbDescriptor... classDescriptors) {
            checkOpen();
            FunctionInterface i = new FunctionInterface(this, interfaces.size(), interfaceClass,
                    Optional.ofNullable(name), List.of(classDescriptors));
            interfaces.add(i);
            return i;
        }

        int nextEndpoint(FunctionInterface i) {
            checkOpen();
            if (interfaces.getLast() != i) {
                throw new IllegalStateException("add endpoints to the last interface added (" + interfaces.getLast()
                        + "): endpoint files are numbered in descriptor order");
            }
            if (endpointCount == 15) {
                throw new IllegalStateException("a function derived here has at most 15 endpoints");
            }
            return ++endpointCount;
        }

        private void checkOpen() {
            if (built) {
                throw new IllegalStateException("the function was already built");
            }
        }

        /**
         * The function, its descriptors checked as {@link Descriptors.Builder#build()} checks them.
         *
         * @throws IllegalArgumentException when it has no interface
         */
        public UsbFunction build() {
            if (interfaces.isEmpty()) {
                throw new IllegalArgumentException("function " + name + " needs at least one interface");
            }
            built = true;
            return new UsbFunction(this);
        }
    }
}
