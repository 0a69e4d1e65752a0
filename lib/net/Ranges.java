package net;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Host names folded back into ranges for people to read: {@code web[01-03,05]}. */
public final class Ranges {
    private Ranges() {}

    private static final Pattern NUMBER = Pattern.compile("\\d{1,9}");

    /**
     * The inverse of range expansion, for showing host lists: {@code [web01, web02, web03, web05]}
     * becomes {@code web[01-03,05]}, and {@code 10.0.0.1:22, 10.0.0.2:22} becomes
     * {@code 10.0.0.[1-2]:22}. Names with the same text around their numbers are folded on the
     * number that varies; zero padding is kept; groups keep first-seen order and are joined by ",".
     */
    public static String fold(List<String> names) {
        // Shape = the text between numbers ("web", ".dc", ""); names of one shape may fold together.
        Map<List<String>, List<List<String>>> byShape = new LinkedHashMap<>();
        List<Object> order = new ArrayList<>();        // a shape, or a name that can't fold, in first-seen order
        for (String n : names) {
            if (n.contains("[") || n.contains("]") || n.contains(",") || !NUMBER.matcher(n).find()) { order.add(n); continue; }
            List<String> text = new ArrayList<>(), numbers = new ArrayList<>();
            Matcher m = NUMBER.matcher(n);
            int last = 0;
            while (m.find()) {
                text.add(n.substring(last, m.start()));
                numbers.add(m.group());
                last = m.end();
            }
            text.add(n.substring(last));
            byShape.computeIfAbsent(text, k -> { order.add(k); return new ArrayList<>(); }).add(numbers);
        }
        List<String> parts = new ArrayList<>();
        for (Object o : order) {
            if (o instanceof String literal) { parts.add(literal); continue; }
            @SuppressWarnings("unchecked") List<String> text = (List<String>) o;
            parts.addAll(foldShape(text, byShape.get(text)));
        }
        return String.join(",", parts);
    }

    /** Folds names of one shape on the number position that leaves the fewest groups (the last, on ties). */
    private static List<String> foldShape(List<String> text, List<List<String>> members) {
        int positions = text.size() - 1;
        Map<List<String>, List<String>> best = null;
        int bestPos = -1;
        for (int pos = positions - 1; pos >= 0; pos--) {
            Map<List<String>, List<String>> groups = new LinkedHashMap<>();
            for (List<String> nums : members) {
                List<String> rest = new ArrayList<>(nums);
                rest.set(pos, "");
                groups.computeIfAbsent(rest, k -> new ArrayList<>()).add(nums.get(pos));
            }
            if (best == null || groups.size() < best.size()) { best = groups; bestPos = pos; }
        }
        List<String> out = new ArrayList<>();
        for (var g : best.entrySet()) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < positions; i++) {
                sb.append(text.get(i));
                if (i != bestPos) sb.append(g.getKey().get(i));
                else if (g.getValue().size() == 1) sb.append(g.getValue().get(0));
                else sb.append('[').append(foldNumbers(g.getValue())).append(']');
            }
            out.add(sb.append(text.get(positions)).toString());
        }
        return out;
    }

    /** "01","02","03","05","7" -> "01-03,05,7": padded widths are kept apart, runs joined. */
    private static String foldNumbers(List<String> numbers) {
        Set<Integer> paddedWidths = new TreeSet<>();
        for (String n : numbers) if (n.length() > 1 && n.startsWith("0")) paddedWidths.add(n.length());
        Map<Integer, TreeSet<Integer>> byWidth = new TreeMap<>();  // width 0 = unpadded
        for (String n : numbers) {
            int width = paddedWidths.contains(n.length()) ? n.length() : 0;
            byWidth.computeIfAbsent(width, w -> new TreeSet<>()).add(Integer.parseInt(n));
        }
        List<String> items = new ArrayList<>();
        byWidth.forEach((width, values) -> {
            String fmt = width == 0 ? "%d" : "%0" + width + "d";
            Integer start = null, prev = null;
            for (int v : values) {
                if (start == null) { start = prev = v; continue; }
                if (v == prev + 1) { prev = v; continue; }
                items.add(run(fmt, start, prev));
                start = prev = v;
            }
            items.add(run(fmt, start, prev));
        });
        return String.join(",", items);
    }

    private static String run(String fmt, int from, int to) {
        return from == to ? String.format(fmt, from) : String.format(fmt, from) + "-" + String.format(fmt, to);
    }
}
