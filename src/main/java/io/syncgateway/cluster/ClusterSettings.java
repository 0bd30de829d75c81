package io.syncgateway.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.NetworkConfig;
import io.syncgateway.config.GatewayConfig;
import io.syncgateway.config.Setting;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.Arrays;
import java.util.List;

/**
 * The clustered event bus (Hazelcast): members found over TCP/IP from a fixed list (never
 * multicast), Hazelcast and the event bus bound to one configured interface, a lost member noticed
 * within {@code cluster.memberTimeoutSeconds}. Messages that cross nodes are encoded by the codecs
 * every node registers at start ({@code BusCodecs}): each record as plain JSON.
 */
public final class ClusterSettings {
  private static final int PORT_COUNT = 20;

  private ClusterSettings() {}

  public static HazelcastClusterManager clusterManager(GatewayConfig config) {
    return new HazelcastClusterManager(hazelcast(config));
  }

  /** The event bus listens on the cluster interface, on the configured port (0: any free one). */
  public static VertxOptions eventBus(VertxOptions options, GatewayConfig config) {
    String host = config.string(Setting.CLUSTER_HOST);
    EventBusOptions bus = options.getEventBusOptions();
    bus.setHost(host).setClusterPublicHost(host).setPort(config.integer(Setting.CLUSTER_BUS_PORT));
    return options;
  }

  /** The vertx-hazelcast defaults (the maps and locks Vert.x needs), with our network and quiet start-up. */
  static Config hazelcast(GatewayConfig config) {
    Config hazelcast = ConfigUtil.loadConfig();
    hazelcast.setClusterName(config.string(Setting.CLUSTER_NAME));
    hazelcast.setProperty("hazelcast.phone.home.enabled", "false");
    hazelcast.setProperty("hazelcast.logging.type", "slf4j");
    hazelcast.setProperty("hazelcast.wait.seconds.before.join", "0");
    hazelcast.setProperty("hazelcast.socket.bind.any", "false");
    // A killed member is removed after this many seconds without a heartbeat (Hazelcast's default is 60).
    hazelcast.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    hazelcast.setProperty("hazelcast.max.no.heartbeat.seconds",
        String.valueOf(config.integer(Setting.CLUSTER_MEMBER_TIMEOUT_SECONDS)));
    String host = config.string(Setting.CLUSTER_HOST);
    NetworkConfig network = hazelcast.getNetworkConfig()
        .setPort(config.integer(Setting.CLUSTER_PORT)).setPortAutoIncrement(true).setPortCount(PORT_COUNT);
    network.getInterfaces().setEnabled(true).setInterfaces(List.of(host));
    network.getJoin().getMulticastConfig().setEnabled(false);
    network.getJoin().getAutoDetectionConfig().setEnabled(false);
    network.getJoin().getTcpIpConfig().setEnabled(true).setMembers(members(config));
    return hazelcast;
  }

  /** {@code host} or {@code host:port}, comma-separated (a host alone is probed from cluster.port upwards). */
  static List<String> members(GatewayConfig config) {
    return Arrays.stream(config.string(Setting.CLUSTER_MEMBERS).split(","))
        .map(String::trim).filter(member -> !member.isEmpty()).toList();
  }
}
