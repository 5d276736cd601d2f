/**
 * gadget4j's Linux backend: FunctionFS, DMABUF (udmabuf, dma-buf fences), configfs and usbfs,
 * reached through the FFM API. Its native layer ({@code dev.gadget4j.linux.sys}) stays internal.
 * Run with {@code --enable-native-access=dev.gadget4j.linux} (or {@code ALL-UNNAMED} on the class
 * path) so the JDK does not warn about the restricted downcalls.
 */
module dev.gadget4j.linux {
    requires dev.gadget4j;

    // GadgetSetup: the privileged step for unprivileged drivers. Everything else is reached
    // through the dev.gadget4j API and the provider.
    exports dev.gadget4j.linux;

    provides dev.gadget4j.spi.BackendProvider with dev.gadget4j.linux.LinuxBackendProvider;
}
