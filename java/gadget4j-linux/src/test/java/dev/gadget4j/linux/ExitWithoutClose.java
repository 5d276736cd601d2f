package dev.gadget4j.linux;

import dev.gadget4j.Gadget;
import dev.gadget4j.GadgetSpec;
import dev.gadget4j.descriptor.Descriptors;
import dev.gadget4j.descriptor.Strings;

/**
 * A library user that forgets to close: creates and binds a gadget, then lets main() return.
 * {@link LinuxGadgetVmTest} runs it in a child JVM and checks that nothing is left behind.
 */
final class ExitWithoutClose {
    private ExitWithoutClose() {
    }

    public static void main(String[] args) {
        LinuxBackend backend = new LinuxBackend(SystemFiles.real());
        Gadget g = backend.createGadget(GadgetSpec.builder().name(args[0]).vendorId(0x1209).productId(0x7a05)
                .function("f").build());
        g.functionFs("f").start(Descriptors.sourceSink(), Strings.en("exit without close"));
        g.bind();
        System.out.println("bound " + g.udc().orElse("?"));
    }
}
