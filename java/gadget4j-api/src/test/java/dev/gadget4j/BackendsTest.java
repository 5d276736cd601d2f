package dev.gadget4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.spi.BackendProvider;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BackendsTest {

    /** Available, low priority. */
    public static final class Low extends Fake {
        public Low() {
            super("low", 1, true);
        }
    }

    /** Available, high priority. */
    public static final class High extends Fake {
        public High() {
            super("high", 50, true);
        }
    }

    /** Unavailable, highest priority. */
    public static final class Absent extends Fake {
        public Absent() {
            super("absent", 100, false);
        }
    }

    abstract static class Fake implements BackendProvider {
        private final String name;
        private final int priority;
        private final boolean available;

        Fake(String name, int priority, boolean available) {
            this.name = name;
            this.priority = priority;
            this.available = available;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int priority() {
            return priority;
        }

        @Override
        public Availability availability() {
            return available ? Availability.yes("fake") : Availability.no("no " + name + " hardware here");
        }

        @Override
        public Backend open() {
            return new Backend() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public Gadget createGadget(GadgetSpec spec) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public DmaBufAllocator dmaBufs() {
                    throw new UnsupportedOperationException();
                }

                @Override
                public java.util.List<Udc> udcs() {
                    return java.util.List.of();
                }

                @Override
                public UsbHost host() {
                    throw new UnsupportedOperationException();
                }

                @Override
                public void close() {
                }
            };
        }
    }

    @AfterEach
    void clearProperty() {
        System.clearProperty(Backends.PROPERTY);
    }

    @Test
    void list_showsEveryProviderBestFirst_withReasons() {
        List<Backends.Status> list = Backends.list();
        assertEquals(List.of("absent", "high", "low"), list.stream().map(Backends.Status::name).toList());
        assertFalse(list.get(0).available());
        assertEquals("no absent hardware here", list.get(0).reason());
    }

    @Test
    void auto_picksTheBestAvailable() {
        try (Backend b = Backends.open("auto")) {
            assertEquals("high", b.name());
        }
    }

    @Test
    void property_forcesAProvider() {
        System.setProperty(Backends.PROPERTY, "low");
        try (Backend b = Backends.open()) {
            assertEquals("low", b.name());
        }
    }

    @Test
    void forcingAnUnavailableProvider_failsWithItsReason() {
        System.setProperty(Backends.PROPERTY, "absent");
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, Backends::open);
        assertTrue(e.getMessage().contains("no absent hardware here"), e.getMessage());
    }

    @Test
    void unknownName_listsTheKnownOnes() {
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> Backends.open("nope"));
        assertTrue(e.getMessage().contains("[absent, high, low]"), e.getMessage());
    }
}
