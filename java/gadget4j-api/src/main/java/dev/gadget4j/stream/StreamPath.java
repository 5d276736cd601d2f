package dev.gadget4j.stream;

/** How an {@link EndpointStream} moves its buffers, from the cheapest for the CPU to the most portable. */
public enum StreamPath {
    /**
     * {@code FUNCTIONFS_DMABUF_TRANSFER} of attached DMABUFs: the controller reads and writes the
     * buffers directly. Needs Linux 6.9+ and a UDC with scatter-gather (dwc3, chipidea,
     * cdns3/cdnsp have it; dwc2 and musb do not).
     */
    DMABUF,
    /** Asynchronous classic I/O (Linux AIO on the endpoint file): the kernel copies each buffer. */
    AIO,
    /** One blocking {@code read()}/{@code write()} at a time: works everywhere, one buffer in flight. */
    BLOCKING
}
