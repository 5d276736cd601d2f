package dev.gadget4j.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import java.lang.reflect.Method;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

/**
 * Runs cases that use the FunctionFS DMABUF interface (ATTACH, DETACH, TRANSFER). Where the
 * backend has it, a case runs as written. On a kernel without it (before Linux 6.9) the same case
 * runs too, and passes only by failing at a DMABUF call with ENOTTY and the library's
 * explanation: the suite's case list stays the same on every kernel, and nothing is skipped.
 */
public final class DmaBufCases implements InvocationInterceptor {
    /** The explanation every DMABUF call gives on a kernel without the interface. */
    public static final String MISSING = "the kernel has no FunctionFS DMABUF interface (Linux 6.9+)";

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> call,
            ExtensionContext context) throws Throwable {
        if (Fixture.current().dmaBufInterface()) {
            invocation.proceed();
            return;
        }
        try {
            invocation.proceed();
        } catch (Throwable t) {
            assertMissingInterface(t);
            return;
        }
        fail("passed on a kernel without the FunctionFS DMABUF interface (" + System.getProperty("os.version")
                + "): its DMABUF calls must fail with ENOTTY");
    }

    /** {@code t}, or the GadgetException it was caused by, is a DMABUF call refused with ENOTTY. */
    private static void assertMissingInterface(Throwable t) {
        GadgetException e = null;
        for (Throwable c = t; c != null && e == null; c = c.getCause()) {
            if (c instanceof GadgetException g) {
                e = g;
            }
        }
        if (e == null) {
            fail("without the FunctionFS DMABUF interface the case must fail with ENOTTY, not with " + t, t);
        }
        GadgetException g = e;
        assertEquals(Errno.ENOTTY, g.errno(), () -> "wrong errno: " + g.getMessage());
        assertTrue(g.operation().startsWith("FUNCTIONFS_DMABUF_"), () -> "not a DMABUF call: " + g.getMessage());
        assertTrue(g.getMessage().contains(MISSING), () -> "no explanation: " + g.getMessage());
    }
}
