package dev.stampede.faultbed;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import sun.misc.Signal;

/**
 * One node of the fault bed's three-node KRaft cluster: broker and controller in one process
 * (combined mode), on its host's own address, with the settings docs/SCALE-OUT.md recommends for a
 * production topic (replication factor 3, {@code min.insync.replicas=2}).
 *
 * <pre>
 * java -cp TEST_CLASSPATH dev.stampede.faultbed.ClusterBroker --id 1 --host 10.77.0.31 \
 *     --voters 1@10.77.0.31:9093,2@10.77.0.32:9093,3@10.77.0.33:9093 --cluster-id ID --dir DIR
 * </pre>
 *
 * <p>Listens on {@code HOST:9092} (clients) and {@code HOST:9093} (controllers). A new {@code DIR} is
 * formatted with {@code --cluster-id} (the same for the three nodes); a formatted one is reused, so
 * a restarted node comes back with its replicas. Prints {@value #STARTED} once started (it may
 * still wait for the quorum); SIGTERM shuts it down cleanly.
 */
public final class ClusterBroker {
    /** The stdout line once {@code startup()} returned. */
    public static final String STARTED = "kafka: started";
    static final int PORT = 9092;
    static final int CONTROLLER_PORT = 9093;

    private ClusterBroker() {
    }

    public static void main(String[] args) throws Exception {
        int id = -1;
        String host = null;
        String voters = null;
        String clusterId = null;
        Path dir = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--id" -> id = Integer.parseInt(args[i + 1]);
                case "--host" -> host = args[i + 1];
                case "--voters" -> voters = args[i + 1];
                case "--cluster-id" -> clusterId = args[i + 1];
                case "--dir" -> dir = Path.of(args[i + 1]).toAbsolutePath();
                default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
            }
        }
        if (id < 0 || host == null || voters == null || clusterId == null || dir == null) {
            throw new IllegalArgumentException("--id, --host, --voters, --cluster-id and --dir are required");
        }
        final Path logs = dir.resolve("logs");
        final KafkaConfig config = KafkaConfig.fromProps(config(id, host, voters, logs), false);
        if (!Files.exists(logs.resolve("meta.properties"))) {
            Files.createDirectories(logs);
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8))
                    .setNodeId(id)
                    .setClusterId(clusterId)
                    .setControllerListenerName("CONTROLLER")
                    .setMetadataLogDirectory(config.metadataLogDir())
                    .setDirectories(List.of(logs.toString()))
                    .run();
        }
        final KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        final Runnable stop = () -> {
            server.shutdown();
            server.awaitShutdown();
        };
        Signal.handle(new Signal("TERM"), sig -> new Thread(() -> {
            stop.run();
            System.exit(0);
        }, "cluster-broker-stop").start());
        server.startup();
        System.out.println(STARTED + " node " + id + " on " + host + ":" + PORT);
        System.out.flush();
        server.awaitShutdown();
        System.exit(0);
    }

    /** A combined broker-controller of a three-node cluster, small enough for a 2-core machine. */
    static Properties config(int id, String host, String voters, Path logs) {
        final Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", String.valueOf(id));
        p.setProperty("controller.quorum.voters", voters);
        p.setProperty("listeners", "PLAINTEXT://" + host + ":" + PORT + ",CONTROLLER://" + host + ":" + CONTROLLER_PORT);
        p.setProperty("advertised.listeners", "PLAINTEXT://" + host + ":" + PORT);
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("log.dirs", logs.toString());
        // What SCALE-OUT.md recommends: a record acknowledged (acks=all) is on two brokers at least.
        p.setProperty("default.replication.factor", "3");
        p.setProperty("min.insync.replicas", "2");
        p.setProperty("unclean.leader.election.enable", "false");
        p.setProperty("offsets.topic.replication.factor", "3");
        p.setProperty("offsets.topic.num.partitions", "1");
        p.setProperty("transaction.state.log.replication.factor", "3");
        p.setProperty("transaction.state.log.min.isr", "2");
        p.setProperty("transaction.state.log.num.partitions", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "3");
        p.setProperty("share.coordinator.state.topic.min.isr", "2");
        p.setProperty("share.coordinator.state.topic.num.partitions", "1");
        p.setProperty("num.partitions", "1");
        p.setProperty("auto.create.topics.enable", "false");
        // A replica that stops fetching (its host frozen or cut off) leaves the ISR after 10 s.
        p.setProperty("replica.lag.time.max.ms", "10000");
        p.setProperty("log.segment.bytes", String.valueOf(1 << 20));
        p.setProperty("log.index.size.max.bytes", String.valueOf(1 << 20));
        p.setProperty("log.cleaner.enable", "false");
        p.setProperty("num.network.threads", "2");
        p.setProperty("num.io.threads", "2");
        p.setProperty("background.threads", "2");
        p.setProperty("num.recovery.threads.per.data.dir", "1");
        p.setProperty("num.replica.fetchers", "1");
        return p;
    }
}
