package logs;

//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1

import com.fasterxml.jackson.databind.ObjectMapper;

/** Jackson's ObjectMapper, made on first use: `--help` and a plain-text run need none of it. */
final class Json {
    private Json() {}

    static final ObjectMapper MAPPER = new ObjectMapper();
}
