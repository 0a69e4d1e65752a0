//JAVA_OPTIONS -Xms128m -Xmx512m -Xmn64m -XX:MaxMetaspaceSize=512m -XX:ReservedCodeCacheSize=96m -XX:+TieredCompilation -XX:TieredStopAtLevel=1

/**
 * The test harness's own JVM flags. JBang appends the //JAVA_OPTIONS of every file pulled in with
 * //SOURCES to the harness's command line, and the last value of a flag wins; tests/run.java
 * sources this file last, so the scripts' small-footprint flags (exporter's 48 MB heap, 4 MB young
 * generation, C2-only JIT and 64 MB metaspace cap; logship's 128 MB heap) do not become the
 * harness's, which loads every script and library at once.
 */
final class HarnessJvm {
    private HarnessJvm() {}
}
