package dev.stampede.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stampede.client.ClientConfig;
import dev.stampede.client.Phase;
import dev.stampede.engine.EngineConfig;
import dev.stampede.kafka.KafkaSettings;
import dev.stampede.kafka.MergeConfig;
import dev.stampede.server.ServerConfig;
import dev.stampede.store.FsyncPolicy;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The configs' builders hold the same defaults as the commands' options, so a config built in code
 * with only the settings that matter runs as the command line with only those options would.
 */
class ConfigDefaultsTest {
    private static <T> T parsed(T command, String... args) {
        Main.configure(new CommandLine(command)).parseArgs(args);
        return command;
    }

    @Test
    void theServerCommandWithNoOptionsIsTheBuildersDefaults() throws Exception {
        final ServerConfig cli = parsed(new ServerCommand()).config();
        assertThat(cli).isEqualTo(ServerConfig.builder().build());
        assertThat(cli.bind()).isEqualTo(new InetSocketAddress("127.0.0.1", 5050));
        assertThat(cli.output()).isEqualTo(Path.of("timestamps.txt"));
        assertThat(cli.engine()).isEqualTo(ServerConfig.engineFor(500, 5_000, 300_000, 3_000, false));
        assertThat(cli.statsIntervalMs()).isEqualTo(5_000);
        assertThat(cli.fsync()).isEqualTo(FsyncPolicy.INTERVAL);
    }

    @Test
    void serverOptionsAndNamedSettingsGiveTheSameConfig() throws Exception {
        final ServerConfig cli = parsed(new ServerCommand(), "--port", "0", "--loops", "2", "--max-delay", "2s",
                "--keep-duplicates", "--max-connections", "77", "-q", "--fsync", "always").config();
        assertThat(cli).isEqualTo(ServerConfig.builder().port(0).loops(2).maxDelayMs(2_000).keepDuplicates(true)
                .maxConnections(77).statsIntervalMs(0).fsync(FsyncPolicy.ALWAYS).build());
    }

    @Test
    void aReadBatchDurationIsAFixedPauseAndAutoTheAdaptiveOne() throws Exception {
        final ServerConfig fixed = parsed(new ServerCommand(), "--read-batch", "100ms").config();
        assertThat(fixed.readBatchMs()).isEqualTo(100);
        assertThat(fixed.readBatchAdaptive()).isFalse();
        final ServerConfig auto = parsed(new ServerCommand(), "--read-batch", "auto").config();
        assertThat(auto).isEqualTo(ServerConfig.builder().build());
        assertThat(auto.readBatchAdaptive()).isTrue();
        assertThatThrownBy(() -> parsed(new ServerCommand(), "--read-batch", "500ms").config())
                .hasMessageContaining("--read-batch must be shorter than --idle-timeout");
        assertThat(parsed(new ServerCommand(), "--read-batch", "500ms", "--idle-timeout", "2s").config().readBatchMs())
                .isEqualTo(500);
    }

    @Test
    void toBuilderKeepsEverySettingAndDerivesTheEngineFromTheChangedOnes() {
        final ServerConfig c = ServerConfig.builder().port(0).idleTimeoutMs(300).startupGraceMs(0).loops(3).build();
        assertThat(c.toBuilder().build()).isEqualTo(c);
        assertThat(c.toBuilder().maxDelayMs(7_000).build().engine())
                .isEqualTo(ServerConfig.engineFor(300, 7_000, 300_000, 0, false));
    }

    @Test
    void theClientCommandWithNoOptionsIsTheBuildersDefaults() {
        final ClientConfig cli = parsed(new ClientCommand()).config();
        assertThat(cli).isEqualTo(ClientConfig.builder().build());
        assertThat(cli.server()).isEqualTo(new InetSocketAddress("127.0.0.1", 5050));
        assertThat(cli.connections()).isEqualTo(50);
        assertThat(cli.phase()).isEqualTo(Phase.SPREAD);
        assertThat(cli.statsIntervalMs()).isEqualTo(1_000);
    }

    @Test
    void theMergeCommandIsTheBuildersDefaultsWithItsKafka() throws Exception {
        final MergeConfig cli = parsed(new MergeCommand(), "--kafka", "127.0.0.1:9092", "--topic", "t").config();
        final KafkaSettings kafka = new KafkaSettings("127.0.0.1:9092", "t", new Properties());
        assertThat(cli).isEqualTo(MergeConfig.builder().kafka(kafka).build());
        assertThat(cli.output()).isEqualTo(Path.of("global.txt"));
        assertThat(cli.idleTimeoutMs()).isEqualTo(2_000);
    }

    @Test
    void theMergeSyncsAtLeastEvery10msWithFsyncAlways() throws Exception {
        final MergeConfig cli = parsed(new MergeCommand(), "--kafka", "k:1", "--topic", "t", "--fsync", "always")
                .config();
        assertThat(cli.fsyncIntervalMs()).isEqualTo(10);
    }

    @Test
    void buildValidates() {
        assertThatThrownBy(() -> ServerConfig.builder().loops(0).build()).hasMessageContaining("loops");
        assertThatThrownBy(() -> ClientConfig.builder().connections(0).build()).hasMessageContaining("--connections");
        assertThatThrownBy(() -> MergeConfig.builder().build()).hasMessageContaining("--kafka");
        assertThatThrownBy(() -> EngineConfig.builder().maxDelayMs(20_000).holdLagMs(1_000).build())
                .hasMessageContaining("hold lag");
        assertThat(EngineConfig.builder().maxDelayMs(20_000).build().holdLagMs()).isEqualTo(20_000);
        assertThat(EngineConfig.defaults()).isEqualTo(EngineConfig.builder().holdLagMs(18_000).build());
    }
}
