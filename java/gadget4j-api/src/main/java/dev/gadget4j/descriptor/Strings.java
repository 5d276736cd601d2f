package dev.gadget4j.descriptor;

import static dev.gadget4j.descriptor.Wire.le16;
import static dev.gadget4j.descriptor.Wire.le32;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A FunctionFS strings blob, written to ep0 after the descriptors: {@code le32 magic = 2,
 * le32 length, le32 str_count, le32 lang_count}, then per language a {@code le16} language id and
 * str_count NUL-terminated UTF-8 strings. Descriptors refer to the strings by 1-based index;
 * every language has the same number of them.
 *
 * <p>{@link #parse} reads the whole blob even when the descriptors need no strings (the kernel
 * stops after the header then), and refuses a language given twice, which the kernel would take.
 */
public final class Strings {
    /** FUNCTIONFS_STRINGS_MAGIC. */
    public static final int MAGIC = 2;
    /** LANGID of US English. */
    public static final int US_ENGLISH = 0x0409;

    private static final int HEADER_SIZE = 16;

    private final Map<Integer, List<String>> languages;

    private Strings(Map<Integer, List<String>> languages) {
        this.languages = Collections.unmodifiableMap(languages);
        int count = -1;
        int firstLanguage = 0;
        for (Map.Entry<Integer, List<String>> e : languages.entrySet()) {
            Wire.u16("language id", e.getKey());
            int n = e.getValue().size();
            if (n == 0) {
                throw new IllegalArgumentException("language " + lang(e.getKey()) + " has no strings: FunctionFS needs"
                        + " str_count and lang_count both zero or both non-zero");
            }
            if (count >= 0 && n != count) {
                throw new IllegalArgumentException("language " + lang(e.getKey()) + " has " + n + " strings but "
                        + lang(firstLanguage) + " has " + count + ": every language needs the same number");
            }
            if (count < 0) {
                count = n;
                firstLanguage = e.getKey();
            }
            for (int i = 0; i < n; i++) {
                String s = e.getValue().get(i);
                String where = "string " + (i + 1) + " of language " + lang(e.getKey());
                if (s.indexOf('\0') >= 0) {
                    throw new IllegalArgumentException(where + " contains NUL, which would end it early");
                }
                if (!StandardCharsets.UTF_8.newEncoder().canEncode(s)) {
                    throw new IllegalArgumentException(where + " has an unpaired surrogate and has no UTF-8 form");
                }
            }
        }
    }

    private static String lang(int id) {
        return String.format("0x%04x", id);
    }

    /** One US English table, index 1 first. */
    public static Strings en(String... strings) {
        return builder().language(US_ENGLISH, strings).build();
    }

    /** No strings at all (str_count and lang_count 0), for descriptors that use none. */
    public static Strings empty() {
        return builder().build();
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link Strings}; languages are written in the order added. */
    public static final class Builder {
        private final Map<Integer, List<String>> languages = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * The strings of {@code languageId}, index 1 first.
         *
         * @throws IllegalArgumentException when the language was already given
         */
        public Builder language(int languageId, String... strings) {
            if (languages.putIfAbsent(languageId, List.of(strings)) != null) {
                throw new IllegalArgumentException("language " + lang(languageId) + " given twice");
            }
            return this;
        }

        /**
         * The immutable table.
         *
         * @throws IllegalArgumentException when the languages have different string counts, or a
         *                                  string contains NUL
         */
        public Strings build() {
            return new Strings(new LinkedHashMap<>(languages));
        }
    }

    /** Language id to strings, in blob order. */
    public Map<Integer, List<String>> languages() {
        return languages;
    }

    /** str_count: strings per language. */
    public int count() {
        return languages.isEmpty() ? 0 : languages.values().iterator().next().size();
    }

    /** String {@code index} (1-based, as descriptors refer to it) in {@code languageId}. */
    public Optional<String> string(int languageId, int index) {
        List<String> l = languages.get(languageId);
        return l == null || index < 1 || index > l.size() ? Optional.empty() : Optional.of(l.get(index - 1));
    }

    /** The blob to write to ep0. */
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[HEADER_SIZE]);
        languages.forEach((id, strings) -> {
            out.write(id);
            out.write(id >> 8);
            for (String s : strings) {
                out.writeBytes(utf8(s));
                out.write(0);
            }
        });
        byte[] b = out.toByteArray();
        Wire.putLe32(b, 0, MAGIC);
        Wire.putLe32(b, 4, b.length);
        Wire.putLe32(b, 8, count());
        Wire.putLe32(b, 12, languages.size());
        return b;
    }

    /**
     * Parses a strings blob.
     *
     * @throws IllegalArgumentException naming what is wrong: magic, length, counts, a string without
     *                                  its NUL, a language repeated, leftovers
     */
    public static Strings parse(byte[] blob) {
        Wire.need(blob, 0, HEADER_SIZE, "strings blob header");
        if (le32(blob, 0) != MAGIC) {
            throw new IllegalArgumentException("magic " + le32(blob, 0) + " is not FUNCTIONFS_STRINGS_MAGIC (2)");
        }
        if (le32(blob, 4) != blob.length) {
            throw new IllegalArgumentException("header length " + le32(blob, 4) + " != blob length " + blob.length);
        }
        long count = le32(blob, 8);
        long langs = le32(blob, 12);
        if ((count == 0) != (langs == 0)) {
            throw new IllegalArgumentException("str_count " + count + " and lang_count " + langs
                    + " must be both zero or both non-zero");
        }
        int left = blob.length - HEADER_SIZE;
        if (langs > left / 2 || count > left) {
            throw new IllegalArgumentException("str_count " + count + " and lang_count " + langs
                    + " are more than the " + left + " bytes left can hold");
        }
        int pos = HEADER_SIZE;
        Map<Integer, List<String>> out = new LinkedHashMap<>();
        for (int l = 0; l < langs; l++) {
            Wire.need(blob, pos, 2, "language " + l);
            int id = le16(blob, pos);
            pos += 2;
            String[] strings = new String[(int) count];
            for (int i = 0; i < count; i++) {
                int end = pos;
                while (end < blob.length && blob[end] != 0) {
                    end++;
                }
                if (end == blob.length) {
                    throw new IllegalArgumentException("string " + (i + 1) + " of language " + lang(id)
                            + " is not NUL-terminated before the blob ends");
                }
                strings[i] = decode(blob, pos, end, "string " + (i + 1) + " of language " + lang(id));
                pos = end + 1;
            }
            if (out.putIfAbsent(id, List.of(strings)) != null) {
                throw new IllegalArgumentException("language " + lang(id) + " appears twice");
            }
        }
        if (pos != blob.length) {
            throw new IllegalArgumentException((blob.length - pos) + " bytes left over after the strings");
        }
        return new Strings(out);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Strict, because a replacement character would not write back as the bytes it replaced. */
    private static String decode(byte[] b, int from, int to, String where) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, from, to - from))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(where + " is not valid UTF-8", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        // Order matters: it is the blob's order.
        return o instanceof Strings s && List.copyOf(s.languages.entrySet()).equals(List.copyOf(languages.entrySet()));
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
