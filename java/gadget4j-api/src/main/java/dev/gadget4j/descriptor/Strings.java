package dev.gadget4j.descriptor;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A FunctionFS strings blob ({@code FUNCTIONFS_STRINGS_MAGIC}): for each language, the same
 * number of NUL-terminated UTF-8 strings; descriptors refer to them by 1-based index.
 */
public final class Strings {
    public static final int MAGIC = 2;
    public static final int US_ENGLISH = 0x0409;

    private final Map<Integer, List<String>> languages;

    private Strings(Map<Integer, List<String>> languages) {
        this.languages = languages;
        int count = -1;
        for (Map.Entry<Integer, List<String>> e : languages.entrySet()) {
            if (e.getKey() < 0 || e.getKey() > 0xffff) {
                throw new IllegalArgumentException("language id must fit 16 bits: 0x" + Integer.toHexString(e.getKey()));
            }
            if (count >= 0 && e.getValue().size() != count) {
                throw new IllegalArgumentException("language 0x" + Integer.toHexString(e.getKey()) + " has "
                        + e.getValue().size() + " strings, the first language " + count
                        + ": every language needs the same number");
            }
            count = e.getValue().size();
            for (String s : e.getValue()) {
                if (s.indexOf('\0') >= 0) {
                    throw new IllegalArgumentException("strings cannot contain NUL: " + s);
                }
            }
        }
    }

    /** US English strings, index 1 first. */
    public static Strings en(String... strings) {
        return builder().language(US_ENGLISH, strings).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link Strings}. */
    public static final class Builder {
        private final Map<Integer, List<String>> languages = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder language(int languageId, String... strings) {
            languages.put(languageId, List.of(strings));
            return this;
        }

        public Strings build() {
            return new Strings(new LinkedHashMap<>(languages));
        }
    }

    /** Language id to strings, in blob order. */
    public Map<Integer, List<String>> languages() {
        return java.util.Collections.unmodifiableMap(languages);
    }

    public byte[] toBytes() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int count = 0;
        for (Map.Entry<Integer, List<String>> e : languages.entrySet()) {
            body.write(e.getKey() & 0xff);
            body.write(e.getKey() >> 8);
            for (String s : e.getValue()) {
                body.writeBytes(s.getBytes(StandardCharsets.UTF_8));
                body.write(0);
            }
            count = e.getValue().size();
        }
        int length = 16 + body.size();
        return ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN).putInt(MAGIC).putInt(length).putInt(count)
                .putInt(languages.size()).put(body.toByteArray()).array();
    }

    public static Strings parse(byte[] blob) {
        ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
        if (blob.length < 16) {
            throw new IllegalArgumentException("strings blob of " + blob.length + " bytes is shorter than its 16-byte header");
        }
        if (b.getInt(0) != MAGIC) {
            throw new IllegalArgumentException("magic " + b.getInt(0) + " is not FUNCTIONFS_STRINGS_MAGIC (2)");
        }
        if (Integer.toUnsignedLong(b.getInt(4)) != blob.length) {
            throw new IllegalArgumentException("header length " + Integer.toUnsignedLong(b.getInt(4))
                    + " != blob length " + blob.length);
        }
        int count = b.getInt(8);
        int langs = b.getInt(12);
        if (count < 0 || langs < 0) {
            throw new IllegalArgumentException("negative counts: " + count + " strings, " + langs + " languages");
        }
        int pos = 16;
        Map<Integer, List<String>> out = new LinkedHashMap<>();
        for (int l = 0; l < langs; l++) {
            if (blob.length - pos < 2) {
                throw new IllegalArgumentException("language " + l + " is truncated");
            }
            int lang = b.getShort(pos) & 0xffff;
            pos += 2;
            List<String> list = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int end = pos;
                while (end < blob.length && blob[end] != 0) {
                    end++;
                }
                if (end >= blob.length) {
                    throw new IllegalArgumentException("string " + (i + 1) + " of language 0x" + Integer.toHexString(lang)
                            + " is not NUL-terminated");
                }
                list.add(new String(blob, pos, end - pos, StandardCharsets.UTF_8));
                pos = end + 1;
            }
            out.put(lang, List.copyOf(list));
        }
        if (pos != blob.length) {
            throw new IllegalArgumentException((blob.length - pos) + " bytes left over after the strings");
        }
        return new Strings(out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Strings s && s.languages.equals(languages);
    }

    @Override
    public int hashCode() {
        return Objects.hash(languages);
    }

    @Override
    public String toString() {
        return "Strings" + languages;
    }
}
