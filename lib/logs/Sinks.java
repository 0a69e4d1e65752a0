package logs;

//SOURCES ../cli/InputError.java Sink.java StreamSink.java HttpSink.java LokiSink.java KafkaSink.java

import cli.InputError;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The --to sinks: a new one is a file implementing {@link Sink} and {@link Kind}, plus a line in {@link #ALL}. */
public final class Sinks {
    private Sinks() {}

    /**
     * What a sink may need besides --to: --sink-timeout, the Authorization header's value (or null),
     * the static labels, --kafka-properties (or null), --kafka-key, --kafka-compression.
     */
    public record Config(Duration timeout, String authorization, Map<String, String> labels, Path kafkaProperties, String kafkaKey, String kafkaCompression) {}

    /** One kind of --to value. */
    interface Kind {
        /** How --help and the errors write it: "stdout", "file:PATH". */
        String usage();

        /** Whether {@code to} is of this kind. */
        boolean accepts(String to);

        /** Whether --sink-auth-env/--sink-auth-file go with {@code to}. */
        default boolean takesAuth(String to) { return false; }

        /** Opens the sink (before anything is read); an InputError when {@code to} is wrong or cannot be opened. */
        Sink open(String to, Config c);
    }

    /** Every kind, in the order the errors list them; the first that accepts --to's value opens it. */
    static final List<Kind> ALL = List.of(
            new StreamSink.Stdout(),
            new StreamSink.File(),
            new HttpSink.Kind(),
            new LokiSink.Kind(),
            new KafkaSink.Kind());

    /** The sink --to names. */
    public static Sink open(String to, Config c) {
        if (c.authorization() != null) {
            boolean takesAuth = false;
            for (Kind k : ALL) takesAuth |= k.takesAuth(to);
            if (!takesAuth) throw new InputError("--sink-auth-env/--sink-auth-file go with an http: or loki: sink");
        }
        if (!to.startsWith("kafka:") && (c.kafkaProperties() != null || !"file".equals(c.kafkaKey()) || !"lz4".equals(c.kafkaCompression()))) {
            throw new InputError("--kafka-properties, --kafka-key and --kafka-compression go with a kafka: sink");
        }
        for (Kind k : ALL) if (k.accepts(to)) return k.open(to, c);
        throw notASink(to);
    }

    /** "--to 'x': expected stdout, file:PATH, http:URL or loki:URL". */
    static InputError notASink(String to) {
        List<String> kinds = new ArrayList<>();
        for (Kind k : ALL) kinds.add(k.usage());
        return new InputError("--to '" + to + "': expected " + String.join(", ", kinds.subList(0, kinds.size() - 1)) + " or " + kinds.get(kinds.size() - 1));
    }
}
