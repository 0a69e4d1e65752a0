///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//JAVA_OPTIONS -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx384m -Dlog4j2.level=warn -Dlog4j2.statusLoggerLevel=OFF
//DEPS org.apache.kafka:kafka_2.13:4.1.1

/*
 * The Kafka broker the tests and the Kafka bench start (through {@link Kafka}), as its own JBang
 * script, so that the broker's ~30 jars stay off the test harness's classpath:
 *
 *   ./jbang tests/support/KafkaBroker.java storage format -t ID -c server.properties   (kafka-storage format)
 *   ./jbang tests/support/KafkaBroker.java server.properties                          (kafka-server-start)
 *
 * A running broker ends when its standard input closes (the test JVM that started it is gone,
 * even by SIGKILL), so no broker outlives a test run.
 */
public class KafkaBroker {
    public static void main(String... args) throws Exception {
        if (args.length > 0 && args[0].equals("storage")) {
            kafka.tools.StorageTool.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        Thread.ofPlatform().daemon().start(() -> {
            try {
                while (System.in.read() >= 0) { }
            } catch (java.io.IOException ignored) {
                // closed
            }
            Runtime.getRuntime().halt(0);
        });
        kafka.Kafka.main(args);
    }
}
