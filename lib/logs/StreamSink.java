package logs;

//DEPS com.fasterxml.jackson.core:jackson-databind:2.20.1
//SOURCES ../cli/Errors.java ../cli/InputError.java Event.java Parsed.java Sink.java Sinks.java

import cli.Errors;
import cli.InputError;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** --to stdout and --to file:PATH: JSON lines (a file's forced to disk before the batch counts as delivered). */
record StreamSink(String name, OutputStream out, FileChannel channel) implements Sink {

    static final class Stdout implements Sinks.Kind {
        @Override public String usage() { return "stdout"; }
        @Override public boolean accepts(String to) { return to.equals("stdout"); }
        @Override public Sink open(String to, Sinks.Config c) {
            return new StreamSink("stdout", System.out, null);
        }
    }

    static final class File implements Sinks.Kind {
        @Override public String usage() { return "file:PATH"; }
        @Override public boolean accepts(String to) { return to.startsWith("file:"); }
        @Override public Sink open(String to, Sinks.Config c) {
            Path p = Path.of(to.substring(5));
            if (p.toString().isEmpty()) throw new InputError("--to file: needs a path, e.g. file:/tmp/out.jsonl");
            try {
                if (p.getParent() != null) Files.createDirectories(p.getParent());
                dropTornLine(p);
                FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                return new StreamSink("file:" + p, Channels.newOutputStream(ch), ch);
            } catch (IOException e) {
                throw new InputError("--to " + to + ": cannot open: " + Errors.message(e, "error"));
            }
        }
    }

    /**
     * A crash in the middle of writing a batch can leave a last line without its newline. That batch was never
     * acknowledged, so it is sent again: cut the torn line off rather than glue the next event to it.
     */
    static void dropTornLine(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size(), pos = size;
            ByteBuffer one = ByteBuffer.allocate(1);
            while (pos > 0) {
                one.clear();
                ch.read(one, pos - 1);
                if (one.get(0) == '\n') break;
                pos--;
            }
            if (pos < size) {
                System.err.println("logship: " + p + " ended in a torn line (" + (size - pos) + " bytes, from a crash); cut it off, its batch is sent again");
                ch.truncate(pos);
            }
        }
    }

    @Override public void encode(JsonGenerator g, Event e, Map<String, String> labels) throws IOException {
        e.write(g, labels);
        g.writeRaw('\n');
    }

    @Override public long deliver(List<Parsed.Slice> batch, Map<String, String> labels) throws IOException {
        long n = 0, good = channel == null ? -1 : channel.size();
        try {
            for (Parsed.Slice s : batch) {
                out.write(s.p().bytes(), s.p().starts()[s.from()], s.bytes());
                n += s.bytes();
            }
            out.flush();
            if (channel != null) channel.force(false);
        } catch (IOException e) {
            // Disk full half-way: cut the file back to its last whole record, so the retry does not
            // leave a torn record glued to the next one.
            if (channel != null) {
                try {
                    channel.truncate(good);
                } catch (IOException ignored) {
                    // the startup check (dropTornLine) mends it on the next start
                }
            }
            throw e;
        }
        return n;
    }
}
