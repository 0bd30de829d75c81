package io.syncgateway.startup;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.persistence.db.EmbeddedPostgresPlatform;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("Which platforms have an embedded PostgreSQL")
class EmbeddedPostgresPlatformTest {
  private static final ClassLoader CLASSPATH = EmbeddedPostgresPlatformTest.class.getClassLoader();

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
      "Linux, amd64, postgres-linux-x86_64.txz",
      "Linux, x86_64, postgres-linux-x86_64.txz",
      "Linux, aarch64, postgres-linux-arm_64.txz",
      "Mac OS X, aarch64, postgres-darwin-arm_64.txz",
      "Mac OS X, x86_64, postgres-darwin-x86_64.txz",
      "Windows 11, amd64, postgres-windows-x86_64.txz",
  })
  @DisplayName("os.name and os.arch map to zonky's binary archive names")
  void resourceNames(String osName, String osArch, String resource) {
    assertThat(EmbeddedPostgresPlatform.binaryResource(osName, osArch)).contains(resource);
  }

  @Test
  @DisplayName("Linux x86-64 binaries are in this build")
  void linuxX64Supported() {
    assertThat(EmbeddedPostgresPlatform.missingBinaries("Linux", "amd64", CLASSPATH)).isEmpty();
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"Linux, aarch64", "Mac OS X, aarch64", "Mac OS X, x86_64", "Windows 10, amd64", "FreeBSD, amd64"})
  @DisplayName("other platforms get one line naming SYNC_PG_URL")
  void otherPlatformsNameThePgUrl(String osName, String osArch) {
    assertThat(EmbeddedPostgresPlatform.missingBinaries(osName, osArch, CLASSPATH)).hasValueSatisfying(problem ->
        assertThat(problem).contains(osName + " " + osArch).contains("SYNC_PG_URL").doesNotContain("\n"));
  }
}
