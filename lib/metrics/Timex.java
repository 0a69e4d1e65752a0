package metrics;

//DEPS com.github.oshi:oshi-core:6.10.0
//DEPS io.prometheus:prometheus-metrics-core:1.10.0
//SOURCES Source.java Snapshots.java Libc.java
//SOURCES Collected.java

import static metrics.Snapshots.counter;
import static metrics.Snapshots.gauge;

import com.sun.jna.Memory;
import java.util.List;
import java.util.function.Consumer;

/**
 * node_timex_*: the kernel clock's discipline as adjtimex(2) reports it (what NTP/chrony set):
 * offset, frequency, error estimates, status, sync state, PPS counters, TAI offset. A system call,
 * so --path.procfs does not apply (as with node_exporter).
 */
final class Timex implements Source {
    static final int TIME_ERROR = 5, STA_NANO = 0x2000;
    static final double PPM16FRAC = 1_000_000.0 * 65536.0, MICRO = 1e6, NANO = 1e9;
    /** Offsets of struct timex's fields on 64-bit Linux (int fields padded to 8 bytes). */
    static final int OFFSET = 8, FREQ = 16, MAXERROR = 24, ESTERROR = 32, STATUS = 40, CONSTANT = 48, TICK = 88, PPSFREQ = 96,
            JITTER = 104, SHIFT = 112, STABIL = 120, JITCNT = 128, CALCNT = 136, ERRCNT = 144, STBCNT = 152, TAI = 160;
    final Memory buf = new Memory(Libc.TIMEX_SIZE);

    @Override
    public synchronized Collected collect(Consumer<String> step) {
        step.accept("adjtimex");
        int state = Libc.adjtimexRead(buf);
        if (state < 0) throw new IllegalStateException("adjtimex failed (errno " + com.sun.jna.Native.getLastError() + ")");
        int status = buf.getInt(STATUS);
        double divisor = (status & STA_NANO) != 0 ? NANO : MICRO;
        return Collected.of(List.of(
                gauge("node_timex_sync_status", "Is clock synchronized to a reliable server (1 = yes, 0 = no).", state == TIME_ERROR ? 0 : 1),
                gauge("node_timex_offset_seconds", "Time offset in between local system and reference clock.", buf.getLong(OFFSET) / divisor),
                gauge("node_timex_frequency_adjustment_ratio", "Local clock frequency adjustment.", 1 + buf.getLong(FREQ) / PPM16FRAC),
                gauge("node_timex_maxerror_seconds", "Maximum error in seconds.", buf.getLong(MAXERROR) / MICRO),
                gauge("node_timex_estimated_error_seconds", "Estimated error in seconds.", buf.getLong(ESTERROR) / MICRO),
                gauge("node_timex_status", "Value of the status array bits.", status),
                gauge("node_timex_loop_time_constant", "Phase-locked loop time constant.", buf.getLong(CONSTANT)),
                gauge("node_timex_tick_seconds", "Seconds between clock ticks.", buf.getLong(TICK) / MICRO),
                gauge("node_timex_pps_frequency_hertz", "Pulse per second frequency.", buf.getLong(PPSFREQ) / PPM16FRAC),
                gauge("node_timex_pps_jitter_seconds", "Pulse per second jitter.", buf.getLong(JITTER) / divisor),
                gauge("node_timex_pps_shift_seconds", "Pulse per second interval duration.", buf.getInt(SHIFT)),
                gauge("node_timex_pps_stability_hertz", "Pulse per second stability, average of recent frequency changes.", buf.getLong(STABIL) / PPM16FRAC),
                counter("node_timex_pps_jitter", "Pulse per second count of jitter limit exceeded events.", buf.getLong(JITCNT)),
                counter("node_timex_pps_calibration", "Pulse per second count of calibration intervals.", buf.getLong(CALCNT)),
                counter("node_timex_pps_error", "Pulse per second count of calibration errors.", buf.getLong(ERRCNT)),
                counter("node_timex_pps_stability_exceeded", "Pulse per second count of stability limit exceeded events.", buf.getLong(STBCNT)),
                gauge("node_timex_tai_offset_seconds", "International Atomic Time (TAI) offset.", buf.getInt(TAI))));
    }
}
