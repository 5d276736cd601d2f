package dev.gadget4j.sim;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.Speed;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the simulated UDC learns from the blobs written to ep0, parsed the way f_fs.c parses them
 * ({@code __ffs_data_got_descs}, {@code __ffs_data_got_strings}) with the same EINVAL cases: the
 * descriptors of each speed, the endpoint files in order of first appearance, the interface count
 * and the strings.
 */
final class FunctionLayout {
    static final int HAS_FS = 1;
    static final int HAS_HS = 2;
    static final int HAS_SS = 4;
    static final int HAS_MS_OS = 8;
    static final int VIRTUAL_ADDR = 16;
    static final int EVENTFD = 32;
    static final int ALL_CTRL_RECIP = 64;
    static final int CONFIG0_SETUP = 128;
    private static final int KNOWN_FLAGS = 0xff;

    /** One endpoint file: {@code epN} is the N-th endpoint descriptor of the first speed present. */
    record EpSpec(int fileNumber, int localAddress, int attributes, int interfaceNumber, int[] maxPacket) {
        boolean in() {
            return (localAddress & 0x80) != 0;
        }

        int maxPacket(Speed speed) {
            return maxPacket[speed.ordinal()];
        }
    }

    final int flags;
    final int interfaceCount;
    final List<EpSpec> endpoints;
    /** Raw descriptors per speed (index Speed.ordinal()), null where the speed has none. */
    private final List<List<byte[]>> perSpeed;
    /** language id -> strings (1-based index = list index + 1). */
    final Map<Integer, List<String>> strings = new LinkedHashMap<>();

    private FunctionLayout(int flags, int interfaceCount, List<EpSpec> endpoints, List<List<byte[]>> perSpeed) {
        this.flags = flags;
        this.interfaceCount = interfaceCount;
        this.endpoints = endpoints;
        this.perSpeed = perSpeed;
    }

    private static GadgetException einval(String object, String why) {
        return new GadgetException("write (descriptors)", object, Errno.EINVAL, why);
    }

    static FunctionLayout parseDescriptors(byte[] blob, String object) {
        ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
        if (blob.length < 12) {
            throw einval(object, "descriptor blob of " + blob.length + " bytes is shorter than its header");
        }
        int magic = b.getInt(0);
        if (Integer.toUnsignedLong(b.getInt(4)) != blob.length) {
            throw einval(object, "header length " + Integer.toUnsignedLong(b.getInt(4)) + " != blob length " + blob.length);
        }
        int flags;
        int pos;
        if (magic == 1) {
            flags = HAS_FS | HAS_HS;
            pos = 8;
        } else if (magic == 3) {
            flags = b.getInt(8);
            if ((flags & ~KNOWN_FLAGS) != 0) {
                throw new GadgetException("write (descriptors)", object, Errno.ENOSYS,
                        "unknown flags 0x" + Integer.toHexString(flags & ~KNOWN_FLAGS));
            }
            pos = 12;
        } else {
            throw einval(object, "bad magic " + magic + " (expected 3, FUNCTIONFS_DESCRIPTORS_MAGIC_V2)");
        }
        if ((flags & EVENTFD) != 0) {
            throw new GadgetException("write (descriptors)", object, Errno.EOPNOTSUPP,
                    "FUNCTIONFS_EVENTFD needs an eventfd, which the simulator does not have");
        }
        int[] counts = new int[3];
        for (int i = 0; i < 3; i++) {
            if ((flags & (1 << i)) != 0) {
                if (pos + 4 > blob.length) {
                    throw einval(object, "truncated counts");
                }
                counts[i] = b.getInt(pos);
                pos += 4;
            }
        }
        int osCount = 0;
        if ((flags & HAS_MS_OS) != 0) {
            if (pos + 4 > blob.length) {
                throw einval(object, "truncated MS OS count");
            }
            osCount = b.getInt(pos);
            pos += 4;
        }
        List<List<byte[]>> perSpeed = new ArrayList<>(List.of(List.of(), List.of(), List.of()));
        List<Integer> addrMap = null;
        List<Integer> attrs = new ArrayList<>();
        List<Integer> ifaceOf = new ArrayList<>();
        int[][] mps = null;
        int interfaces = -1;
        int start = pos;
        for (int s = 0; s < 3; s++) {
            if (counts[s] == 0) {
                continue;
            }
            List<byte[]> descs = new ArrayList<>();
            List<Integer> addrs = new ArrayList<>();
            List<Integer> mpsHere = new ArrayList<>();
            int ifaceCount = 0;
            int currentIface = 0;
            for (int n = 0; n < counts[s]; n++) {
                if (pos + 2 > blob.length) {
                    throw einval(object, "speed " + Speed.values()[s] + ": descriptor " + n + " is truncated");
                }
                int len = blob[pos] & 0xff;
                int type = blob[pos + 1] & 0xff;
                if (len < 2 || pos + len > blob.length) {
                    throw einval(object, "speed " + Speed.values()[s] + ": descriptor " + n + " has bad bLength " + len);
                }
                byte[] d = java.util.Arrays.copyOfRange(blob, pos, pos + len);
                switch (type) {
                    case 4 -> { // interface
                        if (len != 9) {
                            throw einval(object, "interface descriptor with bLength " + len);
                        }
                        currentIface = d[2] & 0xff;
                        ifaceCount = Math.max(ifaceCount, currentIface + 1);
                    }
                    case 5 -> { // endpoint
                        if (len != 7 && len != 9) {
                            throw einval(object, "endpoint descriptor with bLength " + len);
                        }
                        addrs.add(d[2] & 0xff);
                        mpsHere.add((d[4] & 0xff) | ((d[5] & 0x07) << 8));
                        if (addrMap == null) {
                            attrs.add(d[3] & 0xff);
                            ifaceOf.add(currentIface);
                        }
                    }
                    case 1, 2 -> throw einval(object, "device/configuration descriptors are the gadget's, not the function's");
                    default -> {
                        // class-specific, companions, IADs, OTG: passed through as the kernel does
                    }
                }
                descs.add(d);
                pos += len;
            }
            if (addrMap == null) {
                addrMap = addrs;
                interfaces = ifaceCount;
                mps = new int[addrs.size()][3];
            } else {
                if (!addrs.equals(addrMap)) {
                    throw einval(object, "speed " + Speed.values()[s] + " has endpoints " + hex(addrs)
                            + " but the first speed has " + hex(addrMap));
                }
                if (ifaceCount != interfaces) {
                    throw einval(object, "speed " + Speed.values()[s] + " has " + ifaceCount
                            + " interfaces, the first speed " + interfaces);
                }
            }
            for (int i = 0; i < addrs.size(); i++) {
                mps[i][s] = mpsHere.get(i);
            }
            perSpeed.set(s, descs);
        }
        if (pos == start && osCount == 0) {
            throw einval(object, "no descriptors");
        }
        pos = skipOsDescriptors(b, pos, osCount, Math.max(interfaces, 0), object);
        if (pos != blob.length) {
            throw einval(object, (blob.length - pos) + " bytes left over after the descriptors");
        }
        List<EpSpec> eps = new ArrayList<>();
        for (int i = 0; addrMap != null && i < addrMap.size(); i++) {
            int[] m = mps[i].clone();
            // A speed without descriptors uses the next lower one's, as FUNCTIONFS_ENDPOINT_DESC does.
            for (int s = 1; s < 3; s++) {
                if (perSpeed.get(s).isEmpty()) {
                    m[s] = m[s - 1];
                }
            }
            for (int s = 1; s >= 0; s--) {
                if (perSpeed.get(s).isEmpty()) {
                    m[s] = m[s + 1];
                }
            }
            eps.add(new EpSpec(i + 1, addrMap.get(i), attrs.get(i), ifaceOf.get(i), m));
        }
        return new FunctionLayout(flags, Math.max(interfaces, 0), List.copyOf(eps), perSpeed);
    }

    /** ffs_do_os_descs: 11-byte headers, then 24-byte extended compat or dwSize-long extended property entries. */
    private static int skipOsDescriptors(ByteBuffer b, int pos, int count, int interfaces, String object) {
        for (int i = 0; i < count; i++) {
            if (pos + 11 > b.limit() || Integer.toUnsignedLong(b.getInt(pos + 1)) > b.limit() - pos) {
                throw einval(object, "MS OS descriptor " + i + " is truncated");
            }
            int bcd = b.getShort(pos + 5) & 0xffff;
            int index = b.getShort(pos + 7) & 0xffff;
            int n = b.getShort(pos + 9) & 0xffff;
            if (bcd != 0x0100 && bcd != 0x0001) {
                throw einval(object, "MS OS descriptor " + i + " has bcdVersion 0x" + Integer.toHexString(bcd));
            }
            int iface = b.get(pos) & 0xff;
            pos += 11;
            for (int e = 0; e < n; e++) {
                if (index == 4) {
                    if (n > 255 || pos + 24 > b.limit() || (b.get(pos) & 0xff) >= interfaces) {
                        throw einval(object, "MS OS extended compat entry " + e + " is invalid");
                    }
                    pos += 24;
                } else if (index == 5) {
                    if (pos + 14 > b.limit() || iface >= interfaces) {
                        throw einval(object, "MS OS extended property entry " + e + " is invalid");
                    }
                    int size = b.getInt(pos);
                    int type = b.getInt(pos + 4);
                    int nameLength = b.getShort(pos + 8) & 0xffff;
                    if (type < 1 || type > 7 || size < 14 + nameLength || pos + size > b.limit()
                            || size != 14 + nameLength + b.getInt(pos + 10 + nameLength)) {
                        throw einval(object, "MS OS extended property entry " + e + " is invalid");
                    }
                    pos += size;
                } else {
                    throw einval(object, "MS OS descriptor " + i + " has wIndex " + index + " (4 or 5 expected)");
                }
            }
        }
        return pos;
    }

    private static List<String> hex(List<Integer> addrs) {
        return addrs.stream().map(a -> String.format("0x%02x", a)).toList();
    }

    void parseStrings(byte[] blob, String object) {
        ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
        if (blob.length < 16 || b.getInt(0) != 2) {
            throw new GadgetException("write (strings)", object, Errno.EINVAL,
                    "bad strings blob header (magic must be 2, FUNCTIONFS_STRINGS_MAGIC)");
        }
        if (Integer.toUnsignedLong(b.getInt(4)) != blob.length) {
            throw new GadgetException("write (strings)", object, Errno.EINVAL,
                    "header length " + Integer.toUnsignedLong(b.getInt(4)) + " != blob length " + blob.length);
        }
        int strCount = b.getInt(8);
        int langCount = b.getInt(12);
        int pos = 16;
        for (int l = 0; l < langCount; l++) {
            if (pos + 2 > blob.length) {
                throw new GadgetException("write (strings)", object, Errno.EINVAL, "language " + l + " is truncated");
            }
            int lang = b.getShort(pos) & 0xffff;
            pos += 2;
            List<String> list = new ArrayList<>();
            for (int s = 0; s < strCount; s++) {
                int end = pos;
                while (end < blob.length && blob[end] != 0) {
                    end++;
                }
                if (end >= blob.length) {
                    throw new GadgetException("write (strings)", object, Errno.EINVAL,
                            "string " + (s + 1) + " of language 0x" + Integer.toHexString(lang) + " is not terminated");
                }
                list.add(new String(blob, pos, end - pos, StandardCharsets.UTF_8));
                pos = end + 1;
            }
            strings.put(lang, List.copyOf(list));
        }
        if (pos != blob.length) {
            throw new GadgetException("write (strings)", object, Errno.EINVAL,
                    (blob.length - pos) + " bytes left over after the strings");
        }
    }

    boolean hasFlag(int flag) {
        return (flags & flag) != 0;
    }

    /** The speed whose descriptors the function uses at {@code speed}: that one, or the next lower present. */
    private int descIndex(Speed speed) {
        int s = speed.ordinal();
        while (s > 0 && perSpeed.get(s).isEmpty()) {
            s--;
        }
        while (s < 2 && perSpeed.get(s).isEmpty()) {
            s++;
        }
        return s;
    }

    /**
     * The function's descriptors as the host sees them at {@code speed}: interface numbers shifted by
     * {@code firstInterface}, endpoint addresses replaced by the UDC's, string indices by the
     * gadget's.
     */
    byte[] hostDescriptors(Speed speed, int firstInterface, int[] udcAddress, int firstString) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int ep = 0;
        for (byte[] src : perSpeed.get(descIndex(speed))) {
            byte[] d = src.clone();
            switch (d[1] & 0xff) {
                case 4 -> {
                    d[2] = (byte) (d[2] + firstInterface);
                    if (d[8] != 0) {
                        d[8] = (byte) (d[8] - 1 + firstString);
                    }
                }
                case 5 -> d[2] = (byte) udcAddress[ep++];
                case 11 -> { // interface association
                    d[2] = (byte) (d[2] + firstInterface);
                    if (d[7] != 0) {
                        d[7] = (byte) (d[7] - 1 + firstString);
                    }
                }
                default -> {
                }
            }
            out.writeBytes(d);
        }
        return out.toByteArray();
    }

    /** The endpoint descriptor of endpoint file {@code index} (0-based) at {@code speed}, as the host sees it. */
    byte[] endpointDescriptor(Speed speed, int index, int udcAddress) {
        int n = 0;
        for (byte[] d : perSpeed.get(descIndex(speed))) {
            if ((d[1] & 0xff) == 5 && n++ == index) {
                byte[] copy = d.clone();
                copy[2] = (byte) udcAddress;
                return copy;
            }
        }
        throw new IllegalStateException("no endpoint " + index);
    }

    int stringCount() {
        return strings.values().stream().mapToInt(List::size).max().orElse(0);
    }
}
