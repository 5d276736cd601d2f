package dev.gadget4j.descriptor;

import static dev.gadget4j.descriptor.Wire.le32;

import dev.gadget4j.Speed;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A FunctionFS descriptors blob ({@code FUNCTIONFS_DESCRIPTORS_MAGIC_V2}), the first thing written
 * to ep0: a descriptor set per speed and optional MS OS descriptors.
 *
 * <p>The blob is {@code le32 magic = 3, le32 length, le32 flags}, then {@code le32 eventfd} if
 * {@link #EVENTFD}, then {@code le32} fs_count, hs_count, ss_count and os_count, each only when
 * its HAS_* flag is set, then the full, high and SuperSpeed sets and the MS OS descriptors. A
 * count is a number of descriptors: interfaces, endpoints, companions and IADs each count one.
 *
 * <p>Construction checks what {@code __ffs_data_got_descs} checks, and a little of what binding
 * would refuse later: descriptor types and lengths as {@code ffs_do_single_desc} takes them, the
 * same endpoint addresses in the same order and the same interface count at every speed, no
 * endpoint listed twice in one speed (bind fails with "two descriptors for EP"; this also keeps a
 * set within f_fs.c's 30 endpoints, as 15 numbers in two directions make 30 addresses), and MS
 * OS descriptors naming existing interfaces. The endpoint files this yields are
 * {@link #endpoints()}.
 *
 * <p>{@link #parse} accepts what {@link #toBytes} writes and writes back what it parsed byte for
 * byte. To keep that true it is stricter than the kernel in a few places where the kernel ignores
 * or rewrites what it is given: a HAS_* flag with a zero count, the legacy v1 magic, and the MS OS
 * fields listed in {@link OsDescriptor}.
 */
public final class Descriptors {
    /** FUNCTIONFS_DESCRIPTORS_MAGIC_V2. */
    public static final int MAGIC_V2 = 3;
    /** FUNCTIONFS_HAS_FS_DESC: a full-speed set is present. */
    public static final int HAS_FS_DESC = 1;
    /** FUNCTIONFS_HAS_HS_DESC: a high-speed set is present. */
    public static final int HAS_HS_DESC = 2;
    /** FUNCTIONFS_HAS_SS_DESC: a SuperSpeed set is present. */
    public static final int HAS_SS_DESC = 4;
    /** FUNCTIONFS_HAS_MS_OS_DESC: MS OS descriptors follow the sets. */
    public static final int HAS_MS_OS_DESC = 8;
    /** FUNCTIONFS_VIRTUAL_ADDR: endpoint files named by address ({@code ep81}), addresses kept for the host. */
    public static final int VIRTUAL_ADDR = 16;
    /** FUNCTIONFS_EVENTFD: an eventfd follows the header. */
    public static final int EVENTFD = 32;
    /** FUNCTIONFS_ALL_CTRL_RECIP: setup requests for any recipient reach the function. */
    public static final int ALL_CTRL_RECIP = 64;
    /** FUNCTIONFS_CONFIG0_SETUP: setup requests reach the function while unconfigured. */
    public static final int CONFIG0_SETUP = 128;

    private static final int HEADER_SIZE = 12;
    private static final int BEHAVIOUR_FLAGS = VIRTUAL_ADDR | ALL_CTRL_RECIP | CONFIG0_SETUP;
    private static final String[] COUNT_NAMES = {"fs_count", "hs_count", "ss_count"};

    private final int behaviourFlags;
    private final int eventFd;
    private final EnumMap<Speed, List<UsbDescriptor>> sets;
    private final List<OsDescriptor> osDescriptors;
    private final int interfaceCount;
    private final int stringsNeeded;
    private final List<EndpointInfo> endpoints;
    private final List<InterfaceInfo> interfaces;

    private Descriptors(int behaviourFlags, int eventFd, EnumMap<Speed, List<UsbDescriptor>> sets,
                        List<OsDescriptor> os) {
        this.behaviourFlags = behaviourFlags;
        this.eventFd = eventFd;
        this.sets = sets;
        this.osDescriptors = os;
        if (sets.isEmpty()) {
            throw new IllegalArgumentException("a function needs a descriptor set for at least one speed");
        }
        Speed first = sets.keySet().iterator().next();
        int interfaces = -1;
        int strings = 0;
        List<Integer> addresses = null;
        for (Map.Entry<Speed, List<UsbDescriptor>> e : sets.entrySet()) {
            SetFacts f = SetFacts.check(e.getKey(), e.getValue());
            strings = Math.max(strings, f.maxString);
            if (addresses == null) {
                addresses = f.addresses;
                interfaces = f.interfaceCount;
            } else if (!addresses.equals(f.addresses)) {
                throw new IllegalArgumentException(e.getKey() + " speed lists endpoints " + Wire.hex(f.addresses)
                        + " but " + first + " lists " + Wire.hex(addresses)
                        + ": FunctionFS needs the same ones in the same order at every speed");
            } else if (interfaces != f.interfaceCount) {
                throw new IllegalArgumentException(e.getKey() + " speed has " + f.interfaceCount + " interfaces but "
                        + first + " has " + interfaces + ": FunctionFS needs the same count at every speed");
            }
        }
        this.interfaceCount = interfaces;
        this.stringsNeeded = strings;
        for (OsDescriptor d : os) {
            checkOsInterfaces(d, interfaces);
        }
        this.endpoints = buildEndpoints(first);
        this.interfaces = buildInterfaces(first);
    }

    /** What one speed's set adds up to, checked as f_fs.c checks it. */
    private record SetFacts(List<Integer> addresses, int interfaceCount, int maxString) {
        static SetFacts check(Speed speed, List<UsbDescriptor> set) {
            if (set.isEmpty()) {
                throw new IllegalArgumentException(speed + " speed set is empty: f_fs.c treats a zero count as no set;"
                        + " leave the speed out");
            }
            byte[] bytes = concat(set);
            DescriptorReader r = new DescriptorReader(bytes, 0, true);
            List<Integer> addresses = new ArrayList<>();
            int interfaces = 0;
            int strings = 0;
            try {
                while (!r.atEnd()) {
                    switch (r.next()) {
                        case UsbDescriptor.Interface i -> {
                            interfaces = Math.max(interfaces, i.number() + 1);
                            strings = Math.max(strings, i.stringIndex());
                        }
                        case UsbDescriptor.InterfaceAssociation a -> strings = Math.max(strings, a.stringIndex());
                        case UsbDescriptor.Endpoint ep -> {
                            if (addresses.contains(ep.address())) {
                                throw new IllegalArgumentException("endpoint " + Wire.hex(ep.address())
                                        + " is listed twice: f_fs.c binds one descriptor per endpoint and speed");
                            }
                            addresses.add(ep.address());
                        }
                        default -> {
                        }
                    }
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(speed + " speed: " + e.getMessage(), e);
            }
            return new SetFacts(List.copyOf(addresses), interfaces, strings);
        }
    }

    private static void checkOsInterfaces(OsDescriptor d, int interfaces) {
        switch (d) {
            case OsDescriptor.ExtCompat c -> c.functions().forEach(f -> checkOsInterface(
                    "extended compat bFirstInterfaceNumber", f.firstInterface(), interfaces));
            case OsDescriptor.ExtProp p -> {
                if (!p.properties().isEmpty()) {
                    checkOsInterface("extended properties interface", p.interfaceNumber(), interfaces);
                }
            }
        }
    }

    private static void checkOsInterface(String field, int value, int interfaces) {
        if (value >= interfaces) {
            throw new IllegalArgumentException(field + " " + value + " is not one of the function's " + interfaces
                    + " interfaces");
        }
    }

    private static byte[] concat(List<? extends UsbDescriptor> set) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        set.forEach(d -> out.writeBytes(d.toBytes()));
        return out.toByteArray();
    }

    private List<EndpointInfo> buildEndpoints(Speed first) {
        List<EndpointInfo> out = new ArrayList<>();
        int iface = 0;
        int alt = 0;
        for (UsbDescriptor d : sets.get(first)) {
            if (d instanceof UsbDescriptor.Interface i) {
                iface = i.number();
                alt = i.alternateSetting();
            } else if (d instanceof UsbDescriptor.Endpoint) {
                int n = out.size();
                EnumMap<Speed, UsbDescriptor.Endpoint> perSpeed = new EnumMap<>(Speed.class);
                EnumMap<Speed, UsbDescriptor.SsCompanion> companions = new EnumMap<>(Speed.class);
                sets.forEach((speed, set) -> {
                    int at = indexOfEndpoint(set, n);
                    perSpeed.put(speed, (UsbDescriptor.Endpoint) set.get(at));
                    if (at + 1 < set.size() && set.get(at + 1) instanceof UsbDescriptor.SsCompanion c) {
                        companions.put(speed, c);
                    }
                });
                out.add(EndpointInfo.of(n + 1, (behaviourFlags & VIRTUAL_ADDR) != 0, iface, alt, perSpeed,
                        companions));
            }
        }
        return List.copyOf(out);
    }

    private static int indexOfEndpoint(List<UsbDescriptor> set, int n) {
        int seen = 0;
        for (int i = 0; i < set.size(); i++) {
            if (set.get(i) instanceof UsbDescriptor.Endpoint && seen++ == n) {
                return i;
            }
        }
        throw new IllegalStateException("endpoint " + n + " missing from a set checked to have it");
    }

    private List<InterfaceInfo> buildInterfaces(Speed first) {
        Map<Integer, List<InterfaceInfo.AlternateSetting>> byNumber = new LinkedHashMap<>();
        UsbDescriptor.Interface current = null;
        List<EndpointInfo> eps = new ArrayList<>();
        int ep = 0;
        for (UsbDescriptor d : sets.get(first)) {
            if (d instanceof UsbDescriptor.Interface i) {
                addAlternate(byNumber, current, eps);
                current = i;
                eps = new ArrayList<>();
            } else if (d instanceof UsbDescriptor.Endpoint) {
                eps.add(endpoints.get(ep++));
            }
        }
        addAlternate(byNumber, current, eps);
        List<InterfaceInfo> out = new ArrayList<>();
        byNumber.forEach((n, alts) -> out.add(new InterfaceInfo(n, alts)));
        return List.copyOf(out);
    }

    private static void addAlternate(Map<Integer, List<InterfaceInfo.AlternateSetting>> byNumber,
                                     UsbDescriptor.Interface i, List<EndpointInfo> eps) {
        if (i != null) {
            byNumber.computeIfAbsent(i.number(), k -> new ArrayList<>())
                    .add(new InterfaceInfo.AlternateSetting(i, eps));
        }
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * One vendor-specific interface (class 0xff, iInterface 1) with a bulk IN endpoint (ep1,
     * address 0x81) and a bulk OUT endpoint (ep2, address 0x02) at full, high and SuperSpeed:
     * 64, 512 and 1024-byte packets, each SuperSpeed endpoint followed by a companion allowing
     * bursts of {@code maxBurst + 1} packets. The shape of Linux's Gadget Zero source/sink; it
     * needs one string.
     *
     * @param maxBurst bMaxBurst, 0..15
     */
    public static Descriptors sourceSink(int maxBurst) {
        UsbDescriptor.SsCompanion companion = UsbDescriptor.SsCompanion.bulk(maxBurst);
        Builder b = builder();
        for (Speed s : Speed.values()) {
            List<UsbDescriptor> set = new ArrayList<>();
            set.add(UsbDescriptor.Interface.vendor(0, 2, 1));
            for (int address : new int[] {0x81, 0x02}) {
                set.add(UsbDescriptor.Endpoint.bulk(address, s.bulkMaxPacketSize()));
                if (s == Speed.SUPER) {
                    set.add(companion);
                }
            }
            b.speed(s, set);
        }
        return b.build();
    }

    /** {@link #sourceSink(int)} with bursts of 16 packets. */
    public static Descriptors sourceSink() {
        return sourceSink(15);
    }

    /** Builds {@link Descriptors}; {@link #build()} checks the whole. */
    public static final class Builder {
        private final EnumMap<Speed, List<UsbDescriptor>> sets = new EnumMap<>(Speed.class);
        private final List<OsDescriptor> os = new ArrayList<>();
        private int flags;
        private int eventFd = -1;

        private Builder() {
        }

        /** The descriptor set for {@code speed}, replacing any earlier one. */
        public Builder speed(Speed speed, List<? extends UsbDescriptor> descriptors) {
            sets.put(Objects.requireNonNull(speed, "speed"), List.copyOf(descriptors));
            return this;
        }

        /** The full-speed set. */
        public Builder fullSpeed(UsbDescriptor... descriptors) {
            return speed(Speed.FULL, List.of(descriptors));
        }

        /** The high-speed set. */
        public Builder highSpeed(UsbDescriptor... descriptors) {
            return speed(Speed.HIGH, List.of(descriptors));
        }

        /** The SuperSpeed set. */
        public Builder superSpeed(UsbDescriptor... descriptors) {
            return speed(Speed.SUPER, List.of(descriptors));
        }

        /** Adds an MS OS descriptor; they are written in the order added. */
        public Builder msOsDescriptor(OsDescriptor descriptor) {
            os.add(Objects.requireNonNull(descriptor, "descriptor"));
            return this;
        }

        /** Behaviour flags as a set, e.g. {@code EnumSet.of(FunctionFlag.ALL_CTRL_RECIP)}. */
        public Builder flags(Set<FunctionFlag> flags) {
            return flags(flags.stream().mapToInt(FunctionFlag::bit).reduce(0, (a, b) -> a | b));
        }

        /**
         * Behaviour flags as header bits (the lower-level form of {@link #flags(Set)}): any of
         * {@link #VIRTUAL_ADDR}, {@link #ALL_CTRL_RECIP} and {@link #CONFIG0_SETUP}. The HAS_*
         * flags follow from the sets given and EVENTFD from {@link #eventFd}, so that the header
         * cannot disagree with the body.
         */
        public Builder flags(int flags) {
            if ((flags & ~BEHAVIOUR_FLAGS) != 0) {
                throw new IllegalArgumentException("flags may only hold VIRTUAL_ADDR, ALL_CTRL_RECIP and CONFIG0_SETUP,"
                        + " got 0x" + Integer.toHexString(flags));
            }
            this.flags = flags;
            return this;
        }

        /** Asks FunctionFS to signal events on this eventfd ({@link #EVENTFD}). */
        public Builder eventFd(int fd) {
            if (fd < 0) {
                throw new IllegalArgumentException("eventfd must be a file descriptor, got " + fd);
            }
            this.eventFd = fd;
            return this;
        }

        /**
         * The immutable blob model.
         *
         * @throws IllegalArgumentException naming the speed, descriptor and rule broken
         */
        public Descriptors build() {
            return new Descriptors(flags, eventFd, new EnumMap<>(sets), List.copyOf(os));
        }
    }

    /** The header's flags, HAS_* and EVENTFD included. */
    public int flags() {
        int f = behaviourFlags | (eventFd >= 0 ? EVENTFD : 0) | (osDescriptors.isEmpty() ? 0 : HAS_MS_OS_DESC);
        for (Speed s : sets.keySet()) {
            f |= 1 << s.ordinal();
        }
        return f;
    }

    /** The behaviour flags, as a set. */
    public Set<FunctionFlag> behaviour() {
        EnumSet<FunctionFlag> out = EnumSet.noneOf(FunctionFlag.class);
        for (FunctionFlag f : FunctionFlag.values()) {
            if ((behaviourFlags & f.bit()) != 0) {
                out.add(f);
            }
        }
        return out;
    }

    /** The eventfd FunctionFS should signal, if {@link #EVENTFD} is set. */
    public OptionalInt eventFd() {
        return eventFd >= 0 ? OptionalInt.of(eventFd) : OptionalInt.empty();
    }

    /** The descriptor set written for {@code speed}; empty when there is none. */
    public List<UsbDescriptor> descriptors(Speed speed) {
        return sets.getOrDefault(speed, List.of());
    }

    /**
     * The set the function runs with at {@code speed}: that speed's, else the next slower one's,
     * as composite.c's {@code function_descriptors} falls back; empty when there is none at or
     * below it, and then the host does not see the function at that speed.
     */
    public List<UsbDescriptor> effectiveDescriptors(Speed speed) {
        for (int s = speed.ordinal(); s >= 0; s--) {
            List<UsbDescriptor> set = sets.get(Speed.values()[s]);
            if (set != null) {
                return set;
            }
        }
        return List.of();
    }

    /** The MS OS descriptors, in blob order. */
    public List<OsDescriptor> osDescriptors() {
        return osDescriptors;
    }

    /** The endpoint files in order: {@code ep1} (or the first {@code epXX}) first. */
    public List<EndpointInfo> endpoints() {
        return endpoints;
    }

    /**
     * The endpoint behind file {@code epN}.
     *
     * @throws IllegalArgumentException when there is no such file
     */
    public EndpointInfo endpoint(int fileNumber) {
        if (fileNumber < 1 || fileNumber > endpoints.size()) {
            throw new IllegalArgumentException("endpoint file number must be 1.." + endpoints.size() + ", got "
                    + fileNumber);
        }
        return endpoints.get(fileNumber - 1);
    }

    /** The interfaces with their alternate settings, in order of first appearance. */
    public List<InterfaceInfo> interfaces() {
        return interfaces;
    }

    /**
     * The interface count f_fs.c works out: the highest bInterfaceNumber plus one. Binding asks
     * the composite layer for this many interface ids.
     */
    public int interfaceCount() {
        return interfaceCount;
    }

    /**
     * The highest string index the descriptors use; the strings blob must carry at least this many
     * strings per language or the kernel refuses it.
     */
    public int stringsNeeded() {
        return stringsNeeded;
    }

    /** The blob to write to ep0. */
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[HEADER_SIZE]);
        if (eventFd >= 0) {
            writeLe32(out, eventFd);
        }
        sets.values().forEach(set -> writeLe32(out, set.size()));
        if (!osDescriptors.isEmpty()) {
            writeLe32(out, osDescriptors.size());
        }
        sets.values().forEach(set -> out.writeBytes(concat(set)));
        osDescriptors.forEach(d -> out.writeBytes(d.toBytes()));
        byte[] b = out.toByteArray();
        Wire.putLe32(b, 0, MAGIC_V2);
        Wire.putLe32(b, 4, b.length);
        Wire.putLe32(b, 8, flags());
        return b;
    }

    private static void writeLe32(ByteArrayOutputStream out, long v) {
        byte[] b = new byte[4];
        Wire.putLe32(b, 0, v);
        out.writeBytes(b);
    }

    /**
     * Parses a v2 blob.
     *
     * @throws IllegalArgumentException naming what is wrong: magic, length, flags, a count, a
     *                                  descriptor and its speed, an MS OS descriptor, leftovers
     */
    public static Descriptors parse(byte[] blob) {
        // ffs_ep0_write refuses anything shorter before looking at it.
        if (blob.length < 16) {
            throw new IllegalArgumentException("a descriptors blob is at least 16 bytes, got " + blob.length);
        }
        long magic = le32(blob, 0);
        if (magic != MAGIC_V2) {
            throw new IllegalArgumentException("magic " + magic + " is not FUNCTIONFS_DESCRIPTORS_MAGIC_V2 (3)"
                    + (magic == 1 ? "; the legacy v1 format is not supported" : ""));
        }
        if (le32(blob, 4) != blob.length) {
            throw new IllegalArgumentException("header length " + le32(blob, 4) + " != blob length " + blob.length);
        }
        int flags = (int) le32(blob, 8);
        if ((flags & ~0xff) != 0) {
            throw new IllegalArgumentException("unknown flags 0x" + Integer.toHexString(flags & ~0xff)
                    + " (f_fs.c answers ENOSYS)");
        }
        int[] pos = {HEADER_SIZE};
        int eventFd = -1;
        if ((flags & EVENTFD) != 0) {
            long fd = readLe32(blob, pos, "eventfd");
            if (fd > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("eventfd " + (int) fd + " is not a file descriptor");
            }
            eventFd = (int) fd;
        }
        EnumMap<Speed, Long> counts = new EnumMap<>(Speed.class);
        for (Speed s : Speed.values()) {
            if ((flags & (1 << s.ordinal())) != 0) {
                counts.put(s, nonZeroCount(blob, pos, COUNT_NAMES[s.ordinal()]));
            }
        }
        long osCount = (flags & HAS_MS_OS_DESC) != 0 ? nonZeroCount(blob, pos, "os_count") : 0;
        EnumMap<Speed, List<UsbDescriptor>> sets = new EnumMap<>(Speed.class);
        DescriptorReader r = new DescriptorReader(blob, pos[0], true);
        for (Map.Entry<Speed, Long> e : counts.entrySet()) {
            if (e.getValue() > (blob.length - r.position()) / 2) {
                throw new IllegalArgumentException(COUNT_NAMES[e.getKey().ordinal()] + " " + e.getValue()
                        + " is more descriptors than the " + (blob.length - r.position()) + " bytes left can hold");
            }
            // ffs_do_descs starts each speed afresh; so does a new reader for the class context.
            r = new DescriptorReader(blob, r.position(), true);
            List<UsbDescriptor> set = new ArrayList<>();
            try {
                for (long i = 0; i < e.getValue(); i++) {
                    set.add(r.next());
                }
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(e.getKey() + " speed: " + ex.getMessage(), ex);
            }
            sets.put(e.getKey(), List.copyOf(set));
        }
        pos[0] = r.position();
        List<OsDescriptor> os = new ArrayList<>();
        for (long i = 0; i < osCount; i++) {
            os.add(OsDescriptor.parse(blob, pos));
        }
        if (pos[0] != blob.length) {
            throw new IllegalArgumentException((blob.length - pos[0]) + " bytes left over after the descriptors");
        }
        return new Descriptors(flags & BEHAVIOUR_FLAGS, eventFd, sets, List.copyOf(os));
    }

    private static long readLe32(byte[] b, int[] pos, String what) {
        Wire.need(b, pos[0], 4, what);
        long v = le32(b, pos[0]);
        pos[0] += 4;
        return v;
    }

    private static long nonZeroCount(byte[] b, int[] pos, String what) {
        long v = readLe32(b, pos, what);
        if (v == 0) {
            throw new IllegalArgumentException(what + " is 0 while its HAS_* flag is set: f_fs.c treats that as"
                    + " absent; clear the flag instead");
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Descriptors d && d.behaviourFlags == behaviourFlags && d.eventFd == eventFd
                && d.sets.equals(sets) && d.osDescriptors.equals(osDescriptors);
    }

    @Override
    public int hashCode() {
        return Objects.hash(behaviourFlags, eventFd, sets, osDescriptors);
    }

    @Override
    public String toString() {
        return "Descriptors[flags=0x" + Integer.toHexString(flags()) + ", " + sets + ", os=" + osDescriptors + "]";
    }
}
