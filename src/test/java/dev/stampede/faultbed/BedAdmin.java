package dev.stampede.faultbed;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The fault bed's questions to its cluster, one per run of this main:
 *
 * <pre>
 * BedAdmin BOOTSTRAP await-brokers N         until N brokers are in describeCluster (60 s at most)
 * BedAdmin BOOTSTRAP create-topic TOPIC P    P partitions, replication factor 3, min.insync.replicas=2
 * BedAdmin BOOTSTRAP leader TOPIC P          prints the node id leading partition P (-1: none)
 * </pre>
 *
 * Exits 0 on success, 1 with a message on stderr otherwise.
 */
public final class BedAdmin {
    private BedAdmin() {
    }

    public static void main(String[] args) throws Exception {
        final Properties p = new Properties();
        p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        p.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        p.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        try (Admin admin = Admin.create(p)) {
            switch (args[1]) {
                case "await-brokers" -> awaitBrokers(admin, Integer.parseInt(args[2]));
                case "create-topic" -> createTopic(admin, args[2], Integer.parseInt(args[3]));
                case "leader" -> System.out.println(leader(admin, args[2], Integer.parseInt(args[3])));
                default -> throw new IllegalArgumentException("unknown command: " + args[1]);
            }
        } catch (Exception e) {
            System.err.println("bed-admin: " + String.join(" ", args) + ": " + e);
            System.exit(1);
        }
        System.exit(0);
    }

    private static void awaitBrokers(Admin admin, int n) throws Exception {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                if (admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).size() >= n) {
                    return;
                }
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw e;
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("fewer than " + n + " brokers after 60 s");
            }
            Thread.sleep(200);
        }
    }

    private static void createTopic(Admin admin, String topic, int partitions) throws Exception {
        final NewTopic t = new NewTopic(topic, partitions, (short) 3).configs(Map.of("min.insync.replicas", "2"));
        try {
            admin.createTopics(List.of(t)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    private static int leader(Admin admin, String topic, int partition) throws Exception {
        final TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
        for (TopicPartitionInfo info : d.partitions()) {
            if (info.partition() == partition) {
                return info.leader() == null ? -1 : info.leader().id();
            }
        }
        return -1;
    }
}
