/**
 * gadget4j's Linux backend: FunctionFS, DMABUF (udmabuf, dma-buf fences), configfs and usbfs,
 * reached through the FFM API. Its native layer ({@code dev.gadget4j.linux.sys}) stays internal.
 */
module dev.gadget4j.linux {
    requires dev.gadget4j;
}
