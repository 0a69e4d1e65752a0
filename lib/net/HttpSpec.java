package net;

//SOURCES StatusSet.java

import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

/** What to check. {@code bodyMatch} and {@code maxLatency} may be null. */
public record HttpSpec(String method, StatusSet expected, Pattern bodyMatch, Map<String, String> headers,
                       Duration maxLatency, Duration certWarn, Duration timeout, long maxBody) {}
