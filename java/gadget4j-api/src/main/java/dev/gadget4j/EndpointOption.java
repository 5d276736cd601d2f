package dev.gadget4j;

/** How {@link FunctionFs#endpoint(int, EndpointOption...)} opens an endpoint file. */
public enum EndpointOption {
    /**
     * {@code O_NONBLOCK}: I/O and DMABUF transfers on a disabled endpoint fail with EAGAIN instead
     * of sleeping until ENABLE, and a busy DMABUF gives EBUSY at once instead of after 5 s.
     */
    NON_BLOCKING
}
