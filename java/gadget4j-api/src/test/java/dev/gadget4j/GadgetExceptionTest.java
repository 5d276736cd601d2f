package dev.gadget4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class GadgetExceptionTest {

    @Test
    void message_namesOperationObjectErrnoAndDetail() {
        GadgetException e = new GadgetException("FUNCTIONFS_DMABUF_TRANSFER", "ep1", Errno.EPERM,
                "DMABUF fd 12 is not attached to this endpoint");
        assertEquals("FUNCTIONFS_DMABUF_TRANSFER on ep1 failed: EPERM (1): DMABUF fd 12 is not attached to this endpoint",
                e.getMessage());
        assertEquals(Errno.EPERM, e.errno());
    }

    @Test
    void message_withoutDetail_usesTheKernelsDescription() {
        assertEquals("read on ep2 failed: ESHUTDOWN (108): Cannot send after transport endpoint shutdown",
                new GadgetException("read", "ep2", Errno.ESHUTDOWN, null).getMessage());
    }

    @Test
    void errno_byNumber() {
        assertEquals(Errno.ECONNRESET, Errno.of(104));
        assertEquals(Errno.EBUSY, Errno.of(16));
        assertThrows(IllegalArgumentException.class, () -> Errno.of(0));
        assertThrows(IllegalArgumentException.class, () -> Errno.of(100_000));
    }

    @Test
    void gadgetSpec_validates() {
        assertThrows(IllegalArgumentException.class, () -> GadgetSpec.builder().function("a").vendorId(0x10000).build());
        assertThrows(IllegalArgumentException.class, () -> GadgetSpec.builder().build());
        assertThrows(IllegalArgumentException.class, () -> GadgetSpec.builder().function("a").function("a").build());
        assertThrows(IllegalArgumentException.class, () -> GadgetSpec.builder().function("bad/name").build());
    }
}
