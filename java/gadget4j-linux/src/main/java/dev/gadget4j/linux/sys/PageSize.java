package dev.gadget4j.linux.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The kernel's page size ({@code getpagesize()}): udmabuf sizes and offsets must be multiples of
 * it, and it is 16 or 64 KiB on some arm64 kernels.
 */
public final class PageSize {
    private static final long SIZE = query();

    private PageSize() {
    }

    /** The page size in bytes. */
    public static long get() {
        return SIZE;
    }

    @SuppressWarnings("restricted") // the module is granted native access
    private static long query() {
        Linker linker = Linker.nativeLinker();
        MethodHandle h = linker.downcallHandle(linker.defaultLookup().find("getpagesize").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT), Linker.Option.critical(false));
        try {
            int size = (int) h.invokeExact();
            if (size <= 0 || Integer.bitCount(size) != 1) {
                throw new IllegalStateException("getpagesize() returned " + size);
            }
            return size;
        } catch (Throwable t) {
            throw new IllegalStateException("cannot learn the page size", t);
        }
    }
}
