package dev.gadget4j.descriptor;

import dev.gadget4j.Speed;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A FunctionFS descriptors blob (v2, {@code FUNCTIONFS_DESCRIPTORS_MAGIC_V2}), written to ep0
 * before the strings: a descriptor set per speed and optional MS OS descriptors.
 *
 * <p>Endpoint files are numbered in the order endpoints appear: {@code ep1} is the first endpoint
 * descriptor of the set, {@code ep2} the second; FunctionFS requires every speed to list the same
 * endpoint addresses in the same order ({@link #endpoints()}).
 *
 * <p>{@link #parse} accepts what {@link #toBytes} writes and re-serialises it byte for byte.
 */
public final class Descriptors {
    public static final int MAGIC_V2 = 3;
    public static final int HAS_FS_DESC = 1;
    public static final int HAS_HS_DESC = 2;
    public static final int HAS_SS_DESC = 4;
    public static final int HAS_MS_OS_DESC = 8;
    public static final int VIRTUAL_ADDR = 16;
    public static final int EVENTFD = 32;
    public static final int ALL_CTRL_RECIP = 64;
    public static final int CONFIG0_SETUP = 128;
    private static final int SPEED_FLAGS = HAS_FS_DESC | HAS_HS_DESC | HAS_SS_DESC | HAS_MS_OS_DESC;

    private final int userFlags;
    private final int eventFd;
    private final Map<Speed, List<UsbDescriptor>> sets;
    private final List<OsDescriptor> osDescriptors;

    private Descriptors(int userFlags, int eventFd, Map<Speed, List<UsbDescriptor>> sets, List<OsDescriptor> os) {
        this.userFlags = userFlags;
        this.eventFd = eventFd;
        this.sets = sets;
        this.osDescriptors = os;
        validate();
    }

    private void validate() {
        if (sets.isEmpty()) {
            throw new IllegalArgumentException("a function needs descriptors for at least one speed");
        }
        List<Integer> first = null;
        Speed firstSpeed = null;
        for (Map.Entry<Speed, List<UsbDescriptor>> e : sets.entrySet()) {
            List<Integer> addrs = e.getValue().stream().filter(d -> d instanceof UsbDescriptor.Endpoint)
                    .map(d -> ((UsbDescriptor.Endpoint) d).address()).toList();
            if (first == null) {
                first = addrs;
                firstSpeed = e.getKey();
            } else if (!first.equals(addrs)) {
                throw new IllegalArgumentException(e.getKey() + " speed lists endpoints " + hex(addrs) + " but "
                        + firstSpeed + " lists " + hex(first) + ": FunctionFS needs the same ones in the same order");
            }
            if (e.getValue().isEmpty()) {
                throw new IllegalArgumentException(e.getKey() + " speed has an empty descriptor set");
            }
        }
    }

    private static List<String> hex(List<Integer> a) {
        return a.stream().map(x -> String.format("0x%02x", x)).toList();
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * One vendor-specific interface (class 0xff, iInterface 1) with a bulk IN endpoint (ep1,
     * address 0x81) and a bulk OUT endpoint (ep2, address 0x02) at full, high and SuperSpeed
     * (64, 512 and 1024-byte packets; SuperSpeed bursts of {@code maxBurst + 1} packets), the
     * shape of Linux's Gadget Zero source/sink.
     */
    public static Descriptors sourceSink(int maxBurst) {
        Builder b = builder();
        for (Speed s : Speed.values()) {
            List<UsbDescriptor> set = new ArrayList<>();
            set.add(new UsbDescriptor.Interface(0, 0, 2, 0xff, 0, 0, 1));
            set.add(UsbDescriptor.Endpoint.bulk(0x81, s.bulkMaxPacketSize()));
            if (s == Speed.SUPER) {
                set.add(new UsbDescriptor.SsCompanion(maxBurst, 0, 0));
            }
            set.add(UsbDescriptor.Endpoint.bulk(0x02, s.bulkMaxPacketSize()));
            if (s == Speed.SUPER) {
                set.add(new UsbDescriptor.SsCompanion(maxBurst, 0, 0));
            }
            b.speed(s, set);
        }
        return b.build();
    }

    /** {@link #sourceSink(int)} with bursts of 16 packets. */
    public static Descriptors sourceSink() {
        return sourceSink(15);
    }

    /** Builds {@link Descriptors}. */
    public static final class Builder {
        private final Map<Speed, List<UsbDescriptor>> sets = new EnumMap<>(Speed.class);
        private final List<OsDescriptor> os = new ArrayList<>();
        private int flags;
        private int eventFd = -1;

        private Builder() {
        }

        /** The descriptor set for {@code speed} (replacing any earlier one). */
        public Builder speed(Speed speed, List<? extends UsbDescriptor> descriptors) {
            sets.put(Objects.requireNonNull(speed, "speed"), List.copyOf(descriptors));
            return this;
        }

        public Builder osDescriptor(OsDescriptor descriptor) {
            os.add(Objects.requireNonNull(descriptor, "descriptor"));
            return this;
        }

        /**
         * Behaviour flags: {@link #VIRTUAL_ADDR}, {@link #ALL_CTRL_RECIP}, {@link #CONFIG0_SETUP}.
         * The HAS_* flags follow from the sets given; EVENTFD from {@link #eventFd}.
         */
        public Builder flags(int flags) {
            if ((flags & (SPEED_FLAGS | EVENTFD)) != 0 || (flags & ~0xff) != 0) {
                throw new IllegalArgumentException("flags may only hold VIRTUAL_ADDR, ALL_CTRL_RECIP, CONFIG0_SETUP: 0x"
                        + Integer.toHexString(flags));
            }
            this.flags = flags;
            return this;
        }

        /** Asks FunctionFS to signal events on this eventfd ({@code FUNCTIONFS_EVENTFD}). */
        public Builder eventFd(int fd) {
            if (fd < 0) {
                throw new IllegalArgumentException("eventfd must be a descriptor, got " + fd);
            }
            this.eventFd = fd;
            return this;
        }

        public Descriptors build() {
            return new Descriptors(flags, eventFd, new EnumMap<>(sets), List.copyOf(os));
        }
    }

    /** The header's flags, HAS_* included. */
    public int flags() {
        int f = userFlags | (eventFd >= 0 ? EVENTFD : 0) | (osDescriptors.isEmpty() ? 0 : HAS_MS_OS_DESC);
        for (Speed s : sets.keySet()) {
            f |= 1 << s.ordinal();
        }
        return f;
    }

    /** The descriptor set of {@code speed}, empty when the function has none for it. */
    public List<UsbDescriptor> descriptors(Speed speed) {
        return sets.getOrDefault(speed, List.of());
    }

    public List<OsDescriptor> osDescriptors() {
        return osDescriptors;
    }

    /** The endpoints in endpoint-file order ({@code ep1} first), from the slowest speed present. */
    public List<UsbDescriptor.Endpoint> endpoints() {
        return sets.values().iterator().next().stream().filter(d -> d instanceof UsbDescriptor.Endpoint)
                .map(d -> (UsbDescriptor.Endpoint) d).toList();
    }

    /** The blob to write to ep0. */
    public byte[] toBytes() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        ByteBuffer counts = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
        if (eventFd >= 0) {
            counts.putInt(eventFd);
        }
        for (Speed s : Speed.values()) {
            if (sets.containsKey(s)) {
                counts.putInt(sets.get(s).size());
            }
        }
        if (!osDescriptors.isEmpty()) {
            counts.putInt(osDescriptors.size());
        }
        for (List<UsbDescriptor> set : sets.values()) {
            set.forEach(d -> body.writeBytes(d.toBytes()));
        }
        osDescriptors.forEach(d -> body.writeBytes(d.toBytes()));
        int length = 12 + counts.position() + body.size();
        ByteBuffer out = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(MAGIC_V2).putInt(length).putInt(flags());
        out.put(counts.array(), 0, counts.position());
        out.put(body.toByteArray());
        return out.array();
    }

    /**
     * Parses a v2 blob.
     *
     * @throws IllegalArgumentException naming what is wrong: magic, length, flags, counts, a descriptor
     */
    public static Descriptors parse(byte[] blob) {
        ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
        if (blob.length < 12) {
            throw new IllegalArgumentException("blob of " + blob.length + " bytes is shorter than the 12-byte header");
        }
        if (b.getInt(0) != MAGIC_V2) {
            throw new IllegalArgumentException("magic " + b.getInt(0) + " is not FUNCTIONFS_DESCRIPTORS_MAGIC_V2 (3)");
        }
        if (Integer.toUnsignedLong(b.getInt(4)) != blob.length) {
            throw new IllegalArgumentException("header length " + Integer.toUnsignedLong(b.getInt(4))
                    + " != blob length " + blob.length);
        }
        int flags = b.getInt(8);
        if ((flags & ~0xff) != 0) {
            throw new IllegalArgumentException("unknown flags 0x" + Integer.toHexString(flags & ~0xff));
        }
        int[] pos = {12};
        int eventFd = -1;
        if ((flags & EVENTFD) != 0) {
            eventFd = readInt(b, pos, "eventfd");
        }
        Map<Speed, Integer> counts = new EnumMap<>(Speed.class);
        for (Speed s : Speed.values()) {
            if ((flags & (1 << s.ordinal())) != 0) {
                counts.put(s, readInt(b, pos, s + " count"));
            }
        }
        int osCount = (flags & HAS_MS_OS_DESC) != 0 ? readInt(b, pos, "MS OS count") : 0;
        Map<Speed, List<UsbDescriptor>> sets = new EnumMap<>(Speed.class);
        for (Map.Entry<Speed, Integer> e : counts.entrySet()) {
            if (e.getValue() < 0 || e.getValue() > blob.length) {
                throw new IllegalArgumentException(e.getKey() + " count " + e.getValue() + " is impossible");
            }
            try {
                sets.put(e.getKey(), List.copyOf(UsbDescriptor.parseAll(blob, pos, e.getValue())));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(e.getKey() + " speed: " + ex.getMessage(), ex);
            }
        }
        List<OsDescriptor> os = new ArrayList<>();
        for (int i = 0; i < osCount; i++) {
            os.add(OsDescriptor.parse(blob, pos));
        }
        if (pos[0] != blob.length) {
            throw new IllegalArgumentException((blob.length - pos[0]) + " bytes left over after the descriptors");
        }
        if (!os.isEmpty() && (flags & HAS_MS_OS_DESC) == 0 || os.isEmpty() && osCount != 0) {
            throw new IllegalArgumentException("MS OS descriptor count does not match HAS_MS_OS_DESC");
        }
        return new Descriptors(flags & ~(SPEED_FLAGS | EVENTFD), eventFd, sets, List.copyOf(os));
    }

    private static int readInt(ByteBuffer b, int[] pos, String what) {
        if (b.limit() - pos[0] < 4) {
            throw new IllegalArgumentException("blob ends before the " + what);
        }
        int v = b.getInt(pos[0]);
        pos[0] += 4;
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Descriptors d && d.userFlags == userFlags && d.eventFd == eventFd && d.sets.equals(sets)
                && d.osDescriptors.equals(osDescriptors);
    }

    @Override
    public int hashCode() {
        return Objects.hash(userFlags, eventFd, sets, osDescriptors);
    }

    @Override
    public String toString() {
        return "Descriptors[flags=0x" + Integer.toHexString(flags()) + ", " + sets + ", os=" + osDescriptors + "]";
    }
}
