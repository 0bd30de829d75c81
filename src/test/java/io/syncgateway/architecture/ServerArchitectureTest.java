package io.syncgateway.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The server jar carries the gateway only: apps take the SDK from its own artifact, the bench is a tool. */
@AnalyzeClasses(packages = "io.syncgateway", importOptions = ImportOption.DoNotIncludeTests.class)
class ServerArchitectureTest {

  @ArchTest
  static final ArchRule server_code_never_uses_the_client_sdk =
      noClasses().should().dependOnClassesThat().resideInAPackage("io.syncgateway.client..");

  @ArchTest
  static final ArchRule server_code_never_uses_the_bench =
      noClasses().should().dependOnClassesThat().resideInAPackage("io.syncgateway.bench..");

  @ArchTest
  static final ArchRule the_shared_model_knows_nothing_of_the_server =
      noClasses().that().resideInAnyPackage(Packages.MODEL)
          .should().dependOnClassesThat().resideInAnyPackage(Packages.SERVER);
}
