import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.xml.parsers.DocumentBuilderFactory;
import org.xml.sax.InputSource;

/**
 * A small, self-contained SVG line-chart writer for the benchmark report (no plotting library on
 * this machine): one TSV with a header row, one column for x, one or more for y; each y column
 * is a series with its own colour and marker; empty, "na" or "-" cells are gaps.
 *
 * <pre>
 * java bench/Plot.java --tsv data.tsv --x n --y ours,reference [--labels "stampede|C reference"]
 *      --title "Server CPU per timestamp" --xlabel "connections" --ylabel "µs per timestamp"
 *      [--logx] [--logy] [--zero] [--points-only] [--legend tr|tl|br|bl] --out docs/perf/cpu.svg
 * java bench/Plot.java --selftest      # writes a tiny chart and checks it is well-formed SVG
 * </pre>
 */
public final class Plot {
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"};
    private static final int W = 760;
    private static final int H = 440;
    private static final int LEFT = 84;
    private static final int RIGHT = 24;
    private static final int TOP = 48;
    private static final int BOTTOM = 64;

    private String tsv;
    private String xCol;
    private List<String> yCols = new ArrayList<>();
    private List<String> labels = new ArrayList<>();
    private String title = "";
    private String xLabel = "";
    private String yLabel = "";
    private String out;
    private boolean logX;
    private boolean logY;
    private boolean zero;
    private boolean pointsOnly;
    private String legend = "tr";

    private Plot() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("--selftest")) {
            selfTest();
            return;
        }
        final Plot p = new Plot();
        for (int i = 0; i < args.length; i++) {
            final String a = args[i];
            switch (a) {
                case "--logx" -> p.logX = true;
                case "--logy" -> p.logY = true;
                case "--zero" -> p.zero = true;
                case "--points-only" -> p.pointsOnly = true;
                case "-h", "--help" -> usage("draws one SVG line chart from a TSV");
                default -> {
                    if (i + 1 >= args.length) {
                        usage("missing value after " + a);
                    }
                    final String v = args[++i];
                    switch (a) {
                        case "--tsv" -> p.tsv = v;
                        case "--x" -> p.xCol = v;
                        case "--y" -> p.yCols = Arrays.asList(v.split(","));
                        case "--labels" -> p.labels = Arrays.asList(v.split(v.contains("|") ? "\\|" : ","));
                        case "--legend" -> p.legend = v;
                        case "--title" -> p.title = v;
                        case "--xlabel" -> p.xLabel = v;
                        case "--ylabel" -> p.yLabel = v;
                        case "--out" -> p.out = v;
                        default -> usage("unknown option " + a);
                    }
                }
            }
        }
        if (p.tsv == null || p.xCol == null || p.yCols.isEmpty() || p.out == null) {
            usage("--tsv, --x, --y and --out are needed");
        }
        final String svg = p.render(Files.readAllLines(Path.of(p.tsv), StandardCharsets.UTF_8));
        Files.writeString(Path.of(p.out), svg, StandardCharsets.UTF_8);
    }

    private static void usage(String why) {
        System.err.println("plot: " + why);
        System.err.println("usage: java bench/Plot.java --tsv FILE --x COL --y COL[,COL...] [--labels A,B] --out FILE.svg"
                + " [--title T] [--xlabel X] [--ylabel Y] [--logx] [--logy] [--zero] [--points-only] [--legend tr|tl|br|bl]"
                + " (labels split on | if there is one, else on ,)");
        System.exit(2);
    }

    /** The chart of {@code lines} (a TSV with a header) as an SVG document. */
    String render(List<String> lines) {
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("empty TSV");
        }
        final List<String> header = Arrays.asList(lines.get(0).split("\t", -1));
        final int xi = column(header, xCol);
        final int[] yi = yCols.stream().mapToInt(c -> column(header, c)).toArray();
        final List<double[]> rows = new ArrayList<>();   // x, y1..yk (NaN = gap)
        for (final String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            final String[] f = line.split("\t", -1);
            final double[] r = new double[yi.length + 1];
            r[0] = num(f, xi);
            for (int k = 0; k < yi.length; k++) {
                r[k + 1] = num(f, yi[k]);
            }
            if (!Double.isNaN(r[0])) {
                rows.add(r);
            }
        }
        double x0 = Double.POSITIVE_INFINITY, x1 = Double.NEGATIVE_INFINITY;
        double y0 = Double.POSITIVE_INFINITY, y1 = Double.NEGATIVE_INFINITY;
        for (final double[] r : rows) {
            if (logX && r[0] <= 0) {
                continue;
            }
            x0 = Math.min(x0, r[0]);
            x1 = Math.max(x1, r[0]);
            for (int k = 1; k < r.length; k++) {
                if (!Double.isNaN(r[k]) && !(logY && r[k] <= 0)) {
                    y0 = Math.min(y0, r[k]);
                    y1 = Math.max(y1, r[k]);
                }
            }
        }
        if (x0 > x1) {
            x0 = 0;
            x1 = 1;
        }
        if (y0 > y1) {
            y0 = 0;
            y1 = 1;
        }
        if (zero && !logY) {
            y0 = Math.min(0, y0);
        }
        boolean integerX = true;   // whole-number x (loop counts): no ticks between them
        for (final double[] r : rows) {
            integerX &= r[0] == Math.rint(r[0]);
        }
        final Axis ax = new Axis(x0, x1, logX, integerX);
        final Axis ay = new Axis(y0, y1, logY, false);
        final int pw = W - LEFT - RIGHT, ph = H - TOP - BOTTOM;

        final StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "font-family=\"sans-serif\" font-size=\"12\">%n", W, H, W, H));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", W, H));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"16\" font-weight=\"bold\">%s</text>%n",
                LEFT, esc(title)));
        // grid, ticks, tick labels
        for (final double t : ax.ticks()) {
            final double px = LEFT + ax.frac(t) * pw;
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e0e0e0\"/>%n",
                    px, TOP, px, TOP + ph));
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\"/>%n",
                    px, TOP + ph, px, TOP + ph + 5));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    px, TOP + ph + 19, fmt(t)));
        }
        for (final double t : ay.ticks()) {
            final double py = TOP + ph - ay.frac(t) * ph;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e0e0e0\"/>%n",
                    LEFT, py, LEFT + pw, py));
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"black\"/>%n",
                    LEFT - 5, py, LEFT, py));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    LEFT - 8, py + 4, fmt(t)));
        }
        s.append(String.format(Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"black\"/>%n", LEFT, TOP, pw, ph));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                LEFT + pw / 2, H - 16, esc(xLabel + (logX ? " (log scale)" : ""))));
        s.append(String.format(Locale.ROOT,
                "<text x=\"18\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 18 %d)\">%s</text>%n",
                TOP + ph / 2, TOP + ph / 2, esc(yLabel + (logY ? " (log scale)" : ""))));
        // series
        for (int k = 0; k < yi.length; k++) {
            final String colour = COLOURS[k % COLOURS.length];
            final StringBuilder path = new StringBuilder();
            final StringBuilder marks = new StringBuilder();
            boolean pen = false;
            for (final double[] r : rows) {
                final double x = r[0], y = r[k + 1];
                if (Double.isNaN(y) || (logX && x <= 0) || (logY && y <= 0)) {
                    pen = false;
                    continue;
                }
                final double px = LEFT + ax.frac(x) * pw, py = TOP + ph - ay.frac(y) * ph;
                path.append(String.format(Locale.ROOT, "%s%.1f,%.1f ", pen ? "L" : "M", px, py));
                pen = true;
                marks.append(marker(k, px, py, colour));
            }
            if (!pointsOnly && path.length() > 0) {
                s.append(String.format(Locale.ROOT,
                        "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n", path.toString().trim(), colour));
            }
            if (rows.size() <= 60 || pointsOnly) {
                s.append(marks);
            }
        }
        // legend, top left inside the plot
        final int lw = legendWidth(yi.length), lh = 8 + 18 * yi.length;
        final int lx = legend.endsWith("r") ? LEFT + pw - 8 - lw : LEFT + 8;
        final int lt = legend.startsWith("b") ? TOP + ph - 8 - lh : TOP + 8;
        s.append(String.format(Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#999\"/>%n",
                lx, lt, lw, lh));
        for (int k = 0; k < yi.length; k++) {
            final String colour = COLOURS[k % COLOURS.length];
            final int ly = lt + 12 + 18 * k;
            s.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                    lx + 6, ly, lx + 30, ly, colour));
            s.append(marker(k, lx + 18, ly, colour));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", lx + 36, ly + 4, esc(label(k))));
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private int legendWidth(int n) {
        int longest = 0;
        for (int k = 0; k < n; k++) {
            longest = Math.max(longest, label(k).length());
        }
        return 44 + 7 * longest;   // about 7 px a character at 12 px sans-serif
    }

    private String label(int k) {
        return k < labels.size() && !labels.get(k).isBlank() ? labels.get(k) : yCols.get(k);
    }

    private static String marker(int k, double x, double y, String colour) {
        return switch (k % 3) {
            case 0 -> String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>%n", x, y, colour);
            case 1 -> String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"7\" height=\"7\" fill=\"%s\"/>%n",
                    x - 3.5, y - 3.5, colour);
            default -> String.format(Locale.ROOT, "<path d=\"M%.1f,%.1f l4,7 h-8 z\" fill=\"%s\"/>%n", x, y - 4.5, colour);
        };
    }

    private static int column(List<String> header, String name) {
        final int i = header.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("no column '" + name + "' in " + header);
        }
        return i;
    }

    private static double num(String[] f, int i) {
        if (i >= f.length) {
            return Double.NaN;
        }
        final String v = f[i].trim();
        if (v.isEmpty() || v.equals("na") || v.equals("-")) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static String fmt(double v) {
        final double a = Math.abs(v);
        if (a >= 1e9) {
            return trim(v / 1e9) + "G";
        }
        if (a >= 1e6) {
            return trim(v / 1e6) + "M";
        }
        if (a >= 1e4) {
            return trim(v / 1e3) + "k";
        }
        return trim(v);
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.3f", v);
        s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        return s.equals("-0") ? "0" : s;
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** One axis: its range, rounded out to ticks, and where a value falls in it (0..1). */
    private static final class Axis {
        private final boolean log;
        private final double lo;
        private final double hi;
        private final double step;

        Axis(double min, double max, boolean log, boolean integer) {
            this.log = log;
            if (log) {
                double l = Math.floor(Math.log10(min)), h = Math.ceil(Math.log10(max));
                if (h <= l) {
                    h = l + 1;
                }
                lo = l;
                hi = h;
                step = 1;
            } else {
                if (max <= min) {
                    max = min + (min == 0 ? 1 : Math.abs(min) * 0.1);
                }
                final double raw = (max - min) / 6;
                final double mag = Math.pow(10, Math.floor(Math.log10(raw)));
                final double n = raw / mag;
                final double nice = (n <= 1 ? 1 : n <= 2 ? 2 : n <= 2.5 ? 2.5 : n <= 5 ? 5 : 10) * mag;
                step = integer ? Math.max(1, Math.rint(nice)) : nice;
                lo = Math.floor(min / step) * step;
                hi = Math.ceil(max / step) * step;
            }
        }

        double frac(double v) {
            return log ? (Math.log10(v) - lo) / (hi - lo) : (v - lo) / (hi - lo);
        }

        List<Double> ticks() {
            final List<Double> t = new ArrayList<>();
            if (log) {
                final boolean few = hi - lo <= 2;
                for (double d = lo; d <= hi + 1e-9; d++) {
                    t.add(Math.pow(10, d));
                    if (few && d < hi) {
                        t.add(2 * Math.pow(10, d));
                        t.add(5 * Math.pow(10, d));
                    }
                }
            } else {
                for (double v = lo; v <= hi + step / 1e6; v += step) {
                    t.add(Math.abs(v) < step / 1e6 ? 0 : v);
                }
            }
            return t;
        }
    }

    /** Draws a tiny chart (linear and log, with a gap) and checks the SVG parses and has its parts. */
    private static void selfTest() throws Exception {
        final List<String> tsv = List.of("n\ta\tb", "50\t10.5\t9", "1000\tna\t6.2", "5000\t6.1\t5.0");
        for (final boolean log : new boolean[] {false, true}) {
            final Plot p = new Plot();
            p.xCol = "n";
            p.yCols = List.of("a", "b");
            p.labels = List.of("stampede", "C <reference>");
            p.title = "µs per timestamp";
            p.logX = log;
            p.logY = log;
            final String svg = p.render(tsv);
            DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new InputSource(new StringReader(svg)));
            check(svg.contains("C &lt;reference&gt;"), "legend label escaped");
            check(svg.split("<path d=\"M", -1).length - 1 >= 2, "one path per series");
            check(svg.contains(">µs per timestamp<"), "title");
        }
        System.out.println("plot: selftest ok");
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            System.err.println("plot: selftest failed: " + what);
            System.exit(1);
        }
    }
}
