package dev.stampede.runtime;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/** A log line as one JSON object ({@link LogFormat#JSON}). */
final class JsonLine {
    private static final Pattern KEY = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]*");
    private static final Pattern CMD = Pattern.compile("[a-z]+");
    private static final Pattern NUMBER = Pattern.compile("-?(0|[1-9][0-9]{0,17})(\\.[0-9]+)?");

    private JsonLine() {
    }

    static String of(String time, LogLevel level, String line) {
        final StringBuilder b = new StringBuilder(line.length() * 2 + 64);
        b.append("{\"time\":\"").append(time).append("\",\"level\":\"").append(level).append("\",\"msg\":");
        string(b, line);
        final Set<String> keys = new HashSet<>(Set.of("time", "level", "msg", "cmd"));
        final int colon = line.indexOf(':');
        if (colon > 0 && CMD.matcher(line.substring(0, colon)).matches()) {
            b.append(",\"cmd\":");
            string(b, line.substring(0, colon));
        }
        for (String word : line.split(" ")) {
            final int eq = word.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            final String key = word.substring(0, eq);
            String value = word.substring(eq + 1);
            while (!value.isEmpty() && ",;)".indexOf(value.charAt(value.length() - 1)) >= 0) {
                value = value.substring(0, value.length() - 1);
            }
            if (!KEY.matcher(key).matches() || !keys.add(key)) {
                continue; // not a key, or one the object has already
            }
            b.append(",\"").append(key).append("\":");
            if (NUMBER.matcher(value).matches()) {
                b.append(value);
            } else {
                string(b, value);
            }
        }
        return b.append('}').toString();
    }

    private static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
