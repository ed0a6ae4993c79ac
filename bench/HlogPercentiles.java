import java.io.File;
import java.io.FileNotFoundException;
import java.util.Locale;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

/**
 * Prints, one TSV row per interval of an HdrHistogram interval log (the client's
 * {@code --histogram-log}), the interval's start in seconds since the log's start, its count and
 * its p50/p99/p99.9/max in the log's unit (microseconds for the client's send lateness).
 *
 * <pre>java -cp target/stampede.jar bench/HlogPercentiles.java lateness.hlog &gt; lateness.tsv</pre>
 */
public final class HlogPercentiles {
    private HlogPercentiles() {}

    public static void main(String[] args) throws FileNotFoundException {
        if (args.length != 1) {
            System.err.println("usage: java -cp target/stampede.jar bench/HlogPercentiles.java FILE.hlog");
            System.exit(2);
        }
        final HistogramLogReader reader = new HistogramLogReader(new File(args[0]));
        System.out.println("t_s\tcount\tp50_us\tp99_us\tp999_us\tmax_us");
        Double first = null;
        EncodableHistogram e;
        while ((e = reader.nextIntervalHistogram()) != null) {
            if (!(e instanceof Histogram h)) {
                continue;
            }
            final double start = h.getStartTimeStamp() / 1000.0;
            if (first == null) {
                first = start;
            }
            System.out.printf(Locale.ROOT, "%.1f\t%d\t%d\t%d\t%d\t%d%n", start - first, h.getTotalCount(),
                    h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getValueAtPercentile(99.9),
                    h.getMaxValue());
        }
    }
}
