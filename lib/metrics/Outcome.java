package metrics;

//SOURCES Collected.java CollectorRunner.java

/**
 * One collector's part of one scrape: its data, or why there is none ({@code error}, with
 * {@code overran} when the time budget ran out); {@code seconds} it took (the time so far, when it
 * overran). {@code data} may carry problems even when the collector worked.
 */
public record Outcome(CollectorRunner runner, Collected data, String error, boolean overran, double seconds) {
    /** The collector worked in this scrape. */
    public boolean ok() { return error == null; }
}
