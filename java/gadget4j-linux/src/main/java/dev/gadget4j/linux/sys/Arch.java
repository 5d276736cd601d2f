package dev.gadget4j.linux.sys;

import java.lang.foreign.ValueLayout;
import java.util.Locale;

/**
 * The CPU architectures whose syscall numbers and ioctl encoding this layer knows.
 *
 * <p>Only 64-bit little- or big-endian architectures with the generic {@code _IOC} encoding are
 * listed: powerpc, mips, sparc and alpha encode ioctl directions differently, and 32-bit ABIs
 * change {@code long} and pointer sizes that the downcall signatures here assume are 64 bits.
 */
public enum Arch {
    /** x86_64: the old syscall table (io_setup = 206). */
    X86_64(206, 207, 208, 209, 210),
    /** arm64: asm-generic/unistd.h (io_setup = 0). */
    AARCH64(0, 1, 4, 2, 3),
    /** riscv64: asm-generic/unistd.h too. */
    RISCV64(0, 1, 4, 2, 3);

    private static final Arch CURRENT = detect(System.getProperty("os.arch", ""));

    final long ioSetup;
    final long ioDestroy;
    final long ioGetevents;
    final long ioSubmit;
    final long ioCancel;

    Arch(long ioSetup, long ioDestroy, long ioGetevents, long ioSubmit, long ioCancel) {
        this.ioSetup = ioSetup;
        this.ioDestroy = ioDestroy;
        this.ioGetevents = ioGetevents;
        this.ioSubmit = ioSubmit;
        this.ioCancel = ioCancel;
    }

    /** The architecture for an {@code os.arch} value, or null when unsupported. */
    static Arch detect(String osArch) {
        return switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> X86_64;
            case "aarch64", "arm64" -> AARCH64;
            case "riscv64" -> RISCV64;
            default -> null;
        };
    }

    /** Whether this JVM runs on a supported architecture (the provider reports it when not). */
    public static boolean isSupported() {
        return CURRENT != null && ValueLayout.ADDRESS.byteSize() == 8;
    }

    /**
     * The architecture this JVM runs on.
     *
     * @throws UnsupportedOperationException naming {@code os.arch} when it is not supported
     */
    public static Arch current() {
        if (!isSupported()) {
            throw new UnsupportedOperationException("gadget4j's Linux backend does not know the syscall numbers"
                    + " and ioctl encoding of os.arch=" + System.getProperty("os.arch")
                    + " (pointer size " + ValueLayout.ADDRESS.byteSize() + "); supported: amd64, aarch64, riscv64");
        }
        return CURRENT;
    }
}
