package io.syncgateway.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.syncgateway.http.RouteListing;
import io.syncgateway.testsupport.GatewayHarness;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * docs/openapi.json documents exactly the routes the gateway answers: a route added without a path
 * in the description fails here, and so does a documented path or method the gateway does not
 * answer. Adding the path to the JSON is all a new route needs (the conformance test then wants its
 * answers checked too).
 */
class OpenApiCompletenessTest {
  /** Implied by the contract everywhere, so not listed per path: HEAD with GET (A.13), OPTIONS for CORS (§10). */
  private static final Set<HttpMethod> IMPLIED = Set.of(HttpMethod.HEAD, HttpMethod.OPTIONS);

  @RegisterExtension
  static final GatewayHarness gateway = GatewayHarness.perClass("openapi_routes");

  private static Vertx vertx;
  private static OpenApiDescription description;

  @BeforeAll
  static void load() {
    vertx = Vertx.vertx();
    description = OpenApiDescription.load(vertx);
  }

  @AfterAll
  static void close() {
    vertx.close().await();
  }

  @Test
  void everyRouteOfTheGatewayIsDocumentedWithItsMethods() {
    assertThat(documented()).isEqualTo(answered());
  }

  @Test
  void everyRouteThatAnswersGetAnswersHead() {
    RouteListing.of(gateway.gateway().vertx()).routes().forEach((path, methods) -> {
      if (methods.contains(HttpMethod.GET)) {
        assertThat(methods).as(path).contains(HttpMethod.HEAD);
      }
    });
  }

  @Test
  void everyDocumentedPathRefusesOtherMethodsWithTheDocumentedProblem() {
    description.operations().forEach((path, methods) -> {
      String concrete = path.replaceAll("\\{[^}]+}", "some-id");
      Answer answer = Answer.of(gateway.client().request(HttpMethod.PATCH, concrete)
          .putHeader("Authorization", "Bearer " + gateway.token("u-routes", "org-routes")).send().await());
      assertThat(answer.status()).as("PATCH %s: %s", path, answer).isEqualTo(405);
      assertThat(allowed(answer)).as("Allow of %s", path).isEqualTo(withImplied(methods));
      assertThat(description.violationsOfShared("MethodNotAllowed", answer)).as(path).isEmpty();
    });
  }

  private static Map<String, Set<String>> documented() {
    Map<String, Set<String>> documented = new TreeMap<>();
    description.operations().forEach((path, methods) -> documented.put(path, new TreeSet<>(methods)));
    return documented;
  }

  private static Map<String, Set<String>> answered() {
    Map<String, Set<String>> answered = new TreeMap<>();
    RouteListing.of(gateway.gateway().vertx()).routes().forEach((path, methods) -> answered.put(path,
        methods.stream().filter(method -> !IMPLIED.contains(method)).map(HttpMethod::name)
            .collect(Collectors.toCollection(TreeSet::new))));
    return answered;
  }

  private static Set<String> allowed(Answer answer) {
    String allow = answer.headers().get("Allow");
    return allow == null ? Set.of() : Arrays.stream(allow.split(",")).map(String::trim)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static Set<String> withImplied(Set<String> methods) {
    Set<String> all = new TreeSet<>(methods);
    if (methods.contains("GET")) {
      all.add("HEAD");
    }
    return all;
  }
}
