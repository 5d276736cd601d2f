package dev.gadget4j.sim;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.Speed;
import dev.gadget4j.descriptor.Descriptors;
import dev.gadget4j.descriptor.EndpointInfo;
import dev.gadget4j.descriptor.Strings;
import dev.gadget4j.descriptor.UsbDescriptor;
import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * What the simulated UDC learns from the blobs written to ep0. {@link Descriptors} and
 * {@link Strings} already refuse what f_fs.c refuses; the checks left here are the ones that
 * span both blobs or the simulator's limits.
 */
final class FunctionLayout {
    final Descriptors descriptors;
    final Strings strings;
    final int interfaceCount;
    final List<EndpointInfo> endpoints;

    private FunctionLayout(Descriptors descriptors, Strings strings) {
        this.descriptors = descriptors;
        this.strings = strings;
        this.interfaceCount = descriptors.interfaceCount();
        this.endpoints = descriptors.endpoints();
    }

    static FunctionLayout of(Descriptors descriptors, Strings strings, String object) {
        if (descriptors.eventFd().isPresent()) {
            throw new GadgetException("write (descriptors)", object, Errno.EOPNOTSUPP,
                    "FUNCTIONFS_EVENTFD needs an eventfd, which the simulator does not have");
        }
        if (strings.count() < descriptors.stringsNeeded()) {
            throw new GadgetException("write (strings)", object, Errno.EINVAL, "the descriptors use string "
                    + descriptors.stringsNeeded() + " but the strings blob has " + strings.count());
        }
        return new FunctionLayout(descriptors, strings);
    }

    boolean hasFlag(int flag) {
        return (descriptors.flags() & flag) != 0;
    }

    /** The US English strings (or the first language's), index 1 first. */
    List<String> hostStrings() {
        var languages = strings.languages();
        return languages.getOrDefault(0x0409, languages.values().stream().findFirst().orElse(List.of()));
    }

    private List<UsbDescriptor> host(Speed speed, int firstInterface, int[] udcAddress, int firstString) {
        return BoundDescriptors.of(descriptors, speed, firstInterface, firstString, e -> udcAddress[e.fileNumber() - 1]);
    }

    /** The function's descriptors as the host sees them at {@code speed}, as bytes. */
    byte[] hostDescriptors(Speed speed, int firstInterface, int[] udcAddress, int firstString) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        host(speed, firstInterface, udcAddress, firstString).forEach(d -> out.writeBytes(d.toBytes()));
        return out.toByteArray();
    }

    /** FUNCTIONFS_ENDPOINT_DESC: endpoint file {@code index}'s descriptor at {@code speed}, UDC address in. */
    byte[] endpointDescriptor(Speed speed, int index, int[] udcAddress) {
        return host(speed, 0, udcAddress, 1).stream().filter(d -> d instanceof UsbDescriptor.Endpoint)
                .skip(index).findFirst().orElseThrow().toBytes();
    }
}
