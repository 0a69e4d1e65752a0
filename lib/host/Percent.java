package host;

/** Percentages as the host sections show them: rounded to 0.1, 0 of nothing is 0. */
final class Percent {
    private Percent() {}

    static Double of(long part, long whole) {
        return whole <= 0 ? 0.0 : round(100.0 * part / whole);
    }

    static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
