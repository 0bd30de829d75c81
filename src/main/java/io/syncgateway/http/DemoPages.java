package io.syncgateway.http;

import io.syncgateway.config.GatewayConfig;
import io.syncgateway.config.Setting;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.FileSystemAccess;
import io.vertx.ext.web.handler.StaticHandler;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The browser demo (a task board on the JavaScript client, clients/js/demo) at {@value #PATH}, in
 * development only: off unless {@code SYNC_DEMO=true}. Files are read from a directory, not from
 * the jar, so an edited page shows on reload; caching is off for the same reason.
 */
final class DemoPages {
  static final String PATH = "/demo/";

  private DemoPages() {}

  static boolean enabled(GatewayConfig config) {
    return Boolean.parseBoolean(config.string(Setting.DEMO_ENABLED));
  }

  /** The demo's directory, checked at start-up so a wrong path fails loudly instead of answering 404s. */
  static Path directory(GatewayConfig config) {
    Path directory = Path.of(config.string(Setting.DEMO_DIR)).toAbsolutePath().normalize();
    if (!Files.isRegularFile(directory.resolve("index.html"))) {
      throw new IllegalArgumentException("SYNC_DEMO is on but " + directory + " holds no index.html: start the "
          + "gateway from the repository root or set SYNC_DEMO_DIR to clients/js/demo");
    }
    return directory;
  }

  /** Serves the demo when it is enabled; a no-op otherwise. */
  static void mount(Router router, GatewayConfig config) {
    if (!enabled(config)) {
      return;
    }
    StaticHandler files = StaticHandler.create(FileSystemAccess.ROOT, directory(config).toString())
        .setCachingEnabled(false)
        .setDirectoryListing(false)
        .setIndexPage("index.html");
    // "/demo/*" matches "/demo" too; relative links in the page need the slash.
    router.route(PATH + "*").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(rc -> {
      if (rc.request().path().equals("/demo")) {
        rc.redirect(PATH);
      } else {
        files.handle(rc);
      }
    });
  }
}
