package dev.stampede.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import sun.misc.Signal;

/**
 * One real Apache Kafka broker for development and tests: KRaft mode, one node (id 1) that is both
 * broker and controller, a {@code PLAINTEXT} listener on {@code 127.0.0.1:PORT} and a controller
 * listener on another loopback port, its data under {@code DIR/logs}.
 *
 * <pre>
 * java -cp TEST_CLASSPATH dev.stampede.testing.DevBroker --port 9092 --dir DIR [--controller-port Q]
 * </pre>
 *
 * <p>A new (empty or missing) {@code DIR} is formatted with a new cluster id; a {@code DIR} formatted
 * before is reused as it is, so the broker restarts with its topics and their data. Settings are for a
 * single-node test cluster: every internal topic has replication factor 1 and min ISR 1, topics are
 * never created on first use ({@code auto.create.topics.enable=false}), groups rebalance at once.
 *
 * <p>Prints {@value #READY} followed by {@code 127.0.0.1:PORT} on stdout once an Admin client has
 * seen the broker in {@code describeCluster} (so clients can connect), and nothing else on stdout;
 * Kafka's own log goes to stderr (WARN and above, see {@code simplelogger.properties}). SIGTERM or
 * Ctrl-C (SIGINT) shuts the broker down cleanly and exits 0. Exits 1 if the broker cannot start.
 *
 * <p>{@code --controller-port} defaults to a free port; the quorum is static (the one voter is named in
 * the configuration), so a restart may use another controller port. {@code --exit-with-parent} (used by
 * {@link KafkaBroker}) shuts the broker down when the process that started it exits.
 */
public final class DevBroker {
    /** The stdout line, followed by {@code 127.0.0.1:PORT}, once clients can connect. */
    public static final String READY = "kafka: ready on ";
    static final String HOST = "127.0.0.1";
    static final int NODE_ID = 1;

    private DevBroker() {
    }

    public static void main(String[] args) throws Exception {
        int port = -1;
        int controllerPort = 0;
        Path dir = null;
        boolean exitWithParent = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(value(args, ++i));
                case "--controller-port" -> controllerPort = Integer.parseInt(value(args, ++i));
                case "--dir" -> dir = Path.of(value(args, ++i));
                case "--exit-with-parent" -> exitWithParent = true;
                case "-h", "--help" -> {
                    System.out.println("usage: DevBroker --port P --dir DIR [--controller-port Q] [--exit-with-parent]");
                    return;
                }
                default -> usage("unknown argument: " + args[i]);
            }
        }
        if (port < 0 || dir == null) {
            usage("--port and --dir are required");
        }
        if (controllerPort == 0) {
            controllerPort = freePort();
        }
        final long started = System.nanoTime();
        final KafkaRaftServer server;
        try {
            server = start(port, controllerPort, dir.toAbsolutePath());
        } catch (Exception e) {
            System.err.println("kafka: failed to start: " + e);
            e.printStackTrace();
            System.exit(1);
            return;
        }
        final AtomicBoolean stopping = new AtomicBoolean();
        final CountDownLatch stopped = new CountDownLatch(1);
        final Runnable shutdown = () -> {
            if (stopping.compareAndSet(false, true)) {
                System.err.println("kafka: shutting down");
                server.shutdown();
                server.awaitShutdown();
                System.err.println("kafka: stopped");
                stopped.countDown();
            }
        };
        // SIGTERM and Ctrl-C: a clean shutdown, then main returns and the JVM exits 0 (a JVM that
        // exits on the signal itself exits 143 or 130). The hook covers every other exit.
        for (String name : List.of("TERM", "INT")) {
            Signal.handle(new Signal(name), sig -> new Thread(shutdown, "dev-broker-" + name).start());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            shutdown.run();
            awaitQuietly(stopped);
        }, "dev-broker-shutdown"));
        if (exitWithParent) {
            ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(() -> {
                System.err.println("kafka: parent process " + p.pid() + " exited");
                System.exit(0);
            }));
        }
        try {
            awaitClients(HOST + ":" + port, Duration.ofSeconds(60));
        } catch (Exception e) {
            System.err.println("kafka: broker started but clients cannot connect: " + e);
            System.exit(1);
        }
        System.err.printf("kafka: started in %d ms (controller on %s:%d, data in %s)%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), HOST, controllerPort, dir);
        System.out.println(READY + HOST + ":" + port);
        System.out.flush();
        server.awaitShutdown();
        stopped.await();
        System.exit(0);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Formats {@code dir} if it is new, then starts the broker and returns it once started. */
    static KafkaRaftServer start(int port, int controllerPort, Path dir) throws Exception {
        final Path logs = dir.resolve("logs");
        final Properties props = config(port, controllerPort, logs);
        final KafkaConfig config = KafkaConfig.fromProps(props, false);
        if (!Files.exists(logs.resolve("meta.properties"))) {
            Files.createDirectories(logs);
            final String clusterId = Uuid.randomUuid().toString();
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8))
                    .setNodeId(NODE_ID)
                    .setClusterId(clusterId)
                    .setControllerListenerName("CONTROLLER")
                    .setMetadataLogDirectory(config.metadataLogDir())
                    .setDirectories(List.of(logs.toString()))
                    .run();
            System.err.println("kafka: formatted " + logs + " (cluster id " + clusterId + ")");
        }
        final KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        return server;
    }

    /** The broker's configuration: one node, broker and controller, fit for a single-node test cluster. */
    static Properties config(int port, int controllerPort, Path logs) {
        final Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", String.valueOf(NODE_ID));
        p.setProperty("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("log.dirs", logs.toString());
        // One replica of everything.
        p.setProperty("default.replication.factor", "1");
        p.setProperty("min.insync.replicas", "1");
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "1");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("transaction.state.log.num.partitions", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("share.coordinator.state.topic.num.partitions", "1");
        p.setProperty("num.partitions", "1");
        p.setProperty("auto.create.topics.enable", "false");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        // Small: a test cluster on a small machine (2 cores, a 512 MB heap).
        p.setProperty("log.segment.bytes", String.valueOf(1 << 20));
        p.setProperty("log.index.size.max.bytes", String.valueOf(1 << 20));
        p.setProperty("log.cleaner.dedupe.buffer.size", String.valueOf(8 << 20));
        p.setProperty("log.cleaner.threads", "1");
        p.setProperty("num.network.threads", "2");
        p.setProperty("num.io.threads", "2");
        p.setProperty("background.threads", "2");
        p.setProperty("num.recovery.threads.per.data.dir", "1");
        p.setProperty("num.replica.fetchers", "1");
        return p;
    }

    /** Waits until an Admin client sees this broker in describeCluster. */
    static void awaitClients(String bootstrap, Duration timeout) throws Exception {
        final Properties p = new Properties();
        p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        final long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(p)) {
            while (true) {
                try {
                    final java.util.Collection<Node> nodes = admin.describeCluster().nodes().get(10, TimeUnit.SECONDS);
                    if (nodes.stream().anyMatch(n -> n.id() == NODE_ID)) {
                        return;
                    }
                } catch (Exception e) {
                    if (System.nanoTime() - deadline > 0) {
                        throw e;
                    }
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("broker " + NODE_ID + " not in describeCluster after " + timeout);
                }
                Thread.sleep(100);
            }
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            usage(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    private static void usage(String message) {
        System.err.println("DevBroker: " + message);
        System.err.println("usage: DevBroker --port P --dir DIR [--controller-port Q] [--exit-with-parent]");
        System.exit(2);
    }
}
