# Sourced by ./check, ./gadget4j and the VM tests: finds a JDK >= 22 and Maven, and exports
# JAVA_HOME and MVN.
# JAVA_HOME wins when it points at a JDK >= 22; otherwise the newest one under /usr/lib/jvm.

g4j_java_major() { # JAVA_EXECUTABLE -> major version, or 0
    # The JDK's release file first: starting a JVM just to ask costs about 0.25 s of CPU per call.
    local v
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$(dirname "$(dirname "$1")")/release" 2>/dev/null || true)
    if [ -n "$v" ]; then
        echo "$v"
        return 0
    fi
    "$1" -XshowSettings:properties -version 2>&1 |
        sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n1 | grep . || echo 0
}

g4j_find_jdk() {
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] &&
        [ "$(g4j_java_major "$JAVA_HOME/bin/java")" -ge 22 ]; then
        return 0
    fi
    local best="" best_major=0 dir major
    for dir in /usr/lib/jvm/*/; do
        dir=${dir%/}
        [ -x "$dir/bin/javac" ] || continue
        major=$(g4j_java_major "$dir/bin/java")
        if [ "$major" -ge 22 ] && [ "$major" -gt "$best_major" ]; then
            best=$dir best_major=$major
        fi
    done
    if [ -z "$best" ]; then
        echo "gadget4j: no JDK 22 or later found (JAVA_HOME=${JAVA_HOME:-unset}, none under /usr/lib/jvm)." >&2
        echo "gadget4j: install one (e.g. Temurin 25) and/or point JAVA_HOME at it." >&2
        return 1
    fi
    if [ -n "${JAVA_HOME:-}" ]; then
        echo "gadget4j: JAVA_HOME=$JAVA_HOME is not a JDK >= 22; using $best" >&2
    fi
    export JAVA_HOME=$best
}

g4j_find_maven() {
    if ! command -v mvn >/dev/null 2>&1; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "gadget4j: installing Maven (apt-get install maven)" >&2
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q maven >/dev/null
        else
            echo "gadget4j: Maven (mvn) is missing; install it (apt-get install maven)" >&2
            return 1
        fi
    fi
    MVN=mvn
}

g4j_find_jdk && export PATH="$JAVA_HOME/bin:$PATH"
# Maven 3.8's bundled Guava uses sun.misc.Unsafe, which JDK 24+ warns about on every run.
if [ "$(g4j_java_major "$JAVA_HOME/bin/java")" -ge 24 ]; then
    case "${MAVEN_OPTS:-}" in
        *sun-misc-unsafe-memory-access*) ;;
        *) export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" ;;
    esac
fi

# The JVM the VM tests and qemu-images/fuzz run the conformance module's classes in: native
# access on, and two carriers for virtual threads whatever the JVM counts as CPUs (some cases
# move a thread between them). NAME names the caller in the message when the module is not built;
# --classpath-first DIR puts DIR (e.g. a module's test classes) before the module's classpath.
g4j_conformance_java() { # NAME [--classpath-first DIR] [JVM-OPTION ...] MAIN-CLASS [ARG ...]
    local name=$1 module first=""
    shift
    if [ "${1:-}" = --classpath-first ]; then
        first=$2:
        shift 2
    fi
    module=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/gadget4j-conformance/target
    if [ ! -f "$module/runtime-classpath.txt" ]; then
        echo "$name: $module/runtime-classpath.txt is missing: run mvn package (./check does) first" >&2
        return 1
    fi
    "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Djdk.virtualThreadScheduler.parallelism=2 \
        -cp "$first$module/classes:$(cat "$module/runtime-classpath.txt")" "$@"
}
