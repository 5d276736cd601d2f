package dev.gadget4j.conformance;

import org.junit.platform.suite.api.IncludeClassNamePatterns;
import org.junit.platform.suite.api.SelectPackages;
import org.junit.platform.suite.api.Suite;

/** The conformance suite on the simulated backend, in every {@code mvn verify}. */
@Suite
@SelectPackages("dev.gadget4j.conformance")
@IncludeClassNamePatterns(".*ConformanceTest")
class ConformanceOnSimTest {
}
