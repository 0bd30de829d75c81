package io.syncgateway.client.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The SDK is what an app embeds: it may use the shared model, the JDK and Vert.x, never the server
 * (which is on this module's test class path only, to test against a real gateway).
 */
@AnalyzeClasses(packages = "io.syncgateway.client", importOptions = ImportOption.DoNotIncludeTests.class)
class ClientArchitectureTest {

  @ArchTest
  static final ArchRule the_sdk_depends_only_on_the_model_the_jdk_and_vertx =
      classes().should().onlyDependOnClassesThat().resideInAnyPackage(
          "io.syncgateway.client..", "io.syncgateway.clock..", "io.syncgateway.checksum..",
          "io.syncgateway.entity..", "io.syncgateway.wire..", "java..", "io.vertx.core..",
          "io.vertx.ext.web.client..", "io.vertx.uritemplate..", "io.netty..", "org.slf4j..");
}
