/** gadget4j's conformance suite: the same cases on every backend. */
module dev.gadget4j.conformance {
    requires dev.gadget4j;
    requires dev.gadget4j.sim;
    requires org.junit.jupiter.api;
    requires org.junit.platform.launcher;
    requires org.junit.platform.engine;

    exports dev.gadget4j.conformance;
    exports dev.gadget4j.conformance.fuzz;
    opens dev.gadget4j.conformance to org.junit.platform.commons;
}
