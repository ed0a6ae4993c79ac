package dev.stampede.cli;

import dev.stampede.metrics.MetricsServer;
import dev.stampede.metrics.Readiness;
import io.prometheus.metrics.model.registry.MultiCollector;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.function.Consumer;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code --metrics [ADDR:]PORT}, shared by {@code server}, {@code client} and {@code merge}. */
final class MetricsOption {
    @Option(names = "--metrics", paramLabel = "[ADDR:]PORT", converter = AddressConverter.class,
            description = "Serve Prometheus metrics at http://ADDR:PORT/metrics (and /-/healthy, /-/ready); ADDR "
                    + "defaults to 127.0.0.1 (0.0.0.0 for every interface), port 0 picks a free one. "
                    + "Off by default.")
    InetSocketAddress address;

    /**
     * Starts the endpoint when asked for, and says where; {@code null} without {@code --metrics}.
     *
     * @throws IOException if the address cannot be bound (already said on {@code log})
     */
    MetricsServer start(String command, MultiCollector collector, Readiness readiness, Consumer<String> log)
            throws IOException {
        if (address == null) {
            return null;
        }
        try {
            final MetricsServer m = MetricsServer.start(address, collector, readiness);
            log.accept(command + ": metrics on " + m.url());
            return m;
        } catch (IOException e) {
            log.accept(command + ": cannot serve metrics on " + address.getAddress().getHostAddress() + ":"
                    + address.getPort() + ": " + e.getMessage());
            throw e;
        }
    }

    /** Stops the endpoint, if any: at the end of the program. */
    static void stop(MetricsServer m) {
        if (m != null) {
            m.close();
        }
    }

    /** A bad {@code --metrics} is a usage error (exit 2) that says what is wrong. */
    static final class AddressConverter implements ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            try {
                return MetricsServer.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
