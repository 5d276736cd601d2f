package dev.gadget4j;

import java.util.Locale;
import java.util.Objects;

/**
 * Where a backend's DMABUFs come from, for {@link Backend#dmaBufs(DmaBufSource)}.
 *
 * <ul>
 * <li>{@link #UDMABUF}: {@code /dev/udmabuf} over a sealed memfd, the default;
 * <li>{@link #SYSTEM_HEAP}: the DMA heap {@code /dev/dma_heap/system}
 * ({@code CONFIG_DMABUF_HEAPS_SYSTEM}), page-backed like udmabuf but exported by the heap;
 * <li>{@link #CMA_HEAP}: the board's CMA heap ({@code CONFIG_DMABUF_HEAPS_CMA} and a CMA area),
 * physically contiguous, for UDCs that cannot scatter-gather; whatever its name under
 * {@code /dev/dma_heap};
 * <li>{@link #heap(String)}: any DMA heap by name.
 * </ul>
 *
 * <p>The default source of {@link Backend#dmaBufs()} can be chosen without code changes with the
 * system property {@value #PROPERTY} or the environment variable {@value #ENVIRONMENT}
 * ({@code udmabuf}, {@code system}, {@code cma} or {@code heap:NAME}). A backend with a single
 * kind of memory (the simulator) serves every source with it.
 *
 * @param kind which kind of exporter
 * @param heap the heap's name under {@code /dev/dma_heap} for {@link Kind#HEAP}, else empty
 */
public record DmaBufSource(Kind kind, String heap) {
    /** System property naming the default source. */
    public static final String PROPERTY = "gadget4j.dmabuf";
    /** Environment variable naming the default source (the system property wins). */
    public static final String ENVIRONMENT = "GADGET4J_DMABUF";

    /** The kinds of exporter. */
    public enum Kind {
        /** {@code /dev/udmabuf}. */
        UDMABUF,
        /** A DMA heap named by {@link #heap()}. */
        HEAP,
        /** The CMA heap, whatever the board calls it. */
        CMA
    }

    /** {@code /dev/udmabuf}. */
    public static final DmaBufSource UDMABUF = new DmaBufSource(Kind.UDMABUF, "");
    /** {@code /dev/dma_heap/system}. */
    public static final DmaBufSource SYSTEM_HEAP = heap("system");
    /** The board's CMA heap. */
    public static final DmaBufSource CMA_HEAP = new DmaBufSource(Kind.CMA, "");

    /** Checks that a heap name is given exactly for {@link Kind#HEAP}, and is a plain file name. */
    public DmaBufSource {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(heap, "heap");
        if ((kind == Kind.HEAP) == heap.isEmpty() || heap.contains("/") || heap.equals(".") || heap.equals("..")) {
            throw new IllegalArgumentException(kind == Kind.HEAP ? "a DMA heap needs a file name under /dev/dma_heap, got '"
                    + heap + "'" : kind + " takes no heap name, got '" + heap + "'");
        }
    }

    /** The DMA heap {@code /dev/dma_heap/NAME}. */
    public static DmaBufSource heap(String name) {
        return new DmaBufSource(Kind.HEAP, name);
    }

    /**
     * Parses {@code udmabuf}, {@code system}, {@code cma} or {@code heap:NAME} (case-insensitive
     * except for the heap's name).
     *
     * @throws IllegalArgumentException for anything else
     */
    public static DmaBufSource parse(String text) {
        String t = text.trim();
        String lower = t.toLowerCase(Locale.ROOT);
        return switch (lower) {
            case "udmabuf" -> UDMABUF;
            case "system", "system-heap" -> SYSTEM_HEAP;
            case "cma", "cma-heap" -> CMA_HEAP;
            default -> {
                if (lower.startsWith("heap:")) {
                    yield heap(t.substring(5));
                }
                throw new IllegalArgumentException("unknown DMABUF source '" + text
                        + "': udmabuf, system, cma or heap:NAME");
            }
        };
    }

    /** The source named by {@value #PROPERTY}, else {@value #ENVIRONMENT}, else {@link #UDMABUF}. */
    public static DmaBufSource configured() {
        String v = System.getProperty(PROPERTY);
        if (v == null || v.isBlank()) {
            v = System.getenv(ENVIRONMENT);
        }
        return v == null || v.isBlank() ? UDMABUF : parse(v);
    }

    /** {@code udmabuf}, {@code cma} or {@code heap:NAME}, as {@link #parse} reads it. */
    @Override
    public String toString() {
        return switch (kind) {
            case UDMABUF -> "udmabuf";
            case CMA -> "cma";
            case HEAP -> "heap:" + heap;
        };
    }
}
