package yaml;

//DEPS com.fasterxml.jackson.dataformat:jackson-dataformat-yaml:2.20.1
//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1 com.fasterxml.jackson.core:jackson-core:2.20.1 com.fasterxml.jackson.core:jackson-annotations:2.20
//SOURCES ../cli/Durations.java ../cli/Sizes.java
//SOURCES Yaml.java

import cli.Durations;
import cli.Sizes;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.time.Duration;

/** The typed scalars of ops YAML: durations, {@link Yaml.Size}s and {@link Yaml.Percent}s, each as text or a bare number. */
final class Scalars {
    private Scalars() {}

    static SimpleModule module() {
        return new SimpleModule("ops-yaml")
                .addDeserializer(Duration.class, new Scalar<>(Duration.class, Durations::parse, n -> Duration.ofMillis(Math.round(n * 1000))))
                .addDeserializer(Yaml.Size.class, new Scalar<>(Yaml.Size.class, t -> new Yaml.Size(Sizes.parse(t)), n -> {
                    if (n != Math.rint(n) || n < 0) throw new IllegalArgumentException();
                    return new Yaml.Size((long) n);
                }))
                .addDeserializer(Yaml.Percent.class, new Scalar<>(Yaml.Percent.class,
                        t -> percent(Double.parseDouble(t.strip().replaceFirst("\\s*%$", ""))), Scalars::bareNumberPercent));
    }

    private static Yaml.Percent percent(double v) {
        if (!(v >= 0 && v <= 100)) throw new IllegalArgumentException();
        return new Yaml.Percent(v);
    }

    /** A bare number between 0 and 1 is most likely a fraction ("0.9" for 90%): refused, see fractionHint. */
    private static Yaml.Percent bareNumberPercent(double v) {
        if (v > 0 && v < 1) throw new IllegalArgumentException();
        return percent(v);
    }

    /** A value written as text ("3s") or as a bare number (seconds, bytes, percent). */
    private static final class Scalar<T> extends JsonDeserializer<T> {
        private final Class<T> type;
        private final java.util.function.Function<String, T> fromText;
        private final java.util.function.DoubleFunction<T> fromNumber;

        Scalar(Class<T> type, java.util.function.Function<String, T> fromText, java.util.function.DoubleFunction<T> fromNumber) {
            this.type = type;
            this.fromText = fromText;
            this.fromNumber = fromNumber;
        }

        @Override public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonToken t = p.currentToken();
            try {
                if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) return fromNumber.apply(p.getDoubleValue());
                if (t == JsonToken.VALUE_STRING) return fromText.apply(p.getText());
            } catch (IllegalArgumentException e) {
                throw InvalidFormatException.from(p, "bad " + type.getSimpleName(), p.getText(), type);
            }
            throw MismatchedInputException.from(p, type, "wrong shape");
        }
    }
}
