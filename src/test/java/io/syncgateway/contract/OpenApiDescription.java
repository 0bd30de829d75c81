package io.syncgateway.contract;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.pointer.JsonPointer;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.openapi.contract.OpenAPIVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code docs/openapi.json}, checked against the OpenAPI 3.1 meta-schema on loading, and able to say
 * whether a real response matches what it describes: a documented status, a documented media type,
 * every required header, and a body valid against the media type's JSON schema.
 *
 * <p>Why not vertx-openapi's ResponseValidator: in 5.0 it refuses a contract with media types other
 * than JSON, text/plain and multipart, and the contract needs {@code application/problem+json} and
 * {@code text/event-stream}. Its meta-schema check and $ref resolution are used; the body schemas are
 * validated with vertx-json-schema (draft 2020-12, OpenAPI 3.1's dialect).
 */
final class OpenApiDescription {
  static final Path FILE = Path.of("docs", "openapi.json");
  /** Where vertx-openapi's repository keeps the document (its fixed base URI). */
  private static final String BASE = "app:///";
  private static final JsonSchemaOptions OPTIONS = new JsonSchemaOptions().setDraft(Draft.DRAFT202012)
      .setBaseUri("app://").setOutputFormat(OutputFormat.Basic);

  /** The operation keys of an OpenAPI path item. */
  private static final Set<String> OPERATION_KEYS =
      Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  private final JsonObject raw;
  /** Holds the document under {@link #BASE}, where the validators find its schemas. */
  private final SchemaRepository repository;

  private OpenApiDescription(JsonObject raw, SchemaRepository repository) {
    this.raw = raw;
    this.repository = repository;
  }

  /** Loads the file and fails unless it is a valid OpenAPI 3.1 document. */
  static OpenApiDescription load(Vertx vertx) {
    JsonObject raw = new JsonObject(read(FILE));
    OpenAPIVersion version = OpenAPIVersion.fromContract(raw);
    if (version != OpenAPIVersion.V3_1) {
      throw new AssertionError("docs/openapi.json must be OpenAPI 3.1, is " + raw.getValue("openapi"));
    }
    SchemaRepository repository = version.getRepository(vertx, "app://").await();
    // vertx-openapi annotates what it is given (__absolute_uri__ keys): it gets a copy.
    JsonObject annotated = raw.copy();
    OutputUnit meta = version.validateContract(vertx, repository, annotated).await();
    if (!Boolean.TRUE.equals(meta.getValid())) {
      throw new AssertionError("docs/openapi.json is not valid OpenAPI 3.1: " + meta.toJson().encodePrettily());
    }
    version.resolve(vertx, repository, annotated).await(); // fails on a $ref that leads nowhere
    return new OpenApiDescription(raw, repository);
  }

  static Buffer read(Path file) {
    try {
      return Buffer.buffer(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  JsonObject raw() {
    return raw;
  }

  /** Documented path → its methods (upper case), HEAD not listed (it goes with GET). */
  Map<String, Set<String>> operations() {
    Map<String, Set<String>> operations = new LinkedHashMap<>();
    JsonObject paths = raw.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      Set<String> methods = new LinkedHashSet<>();
      for (String key : paths.getJsonObject(path).fieldNames()) {
        if (OPERATION_KEYS.contains(key)) {
          methods.add(key.toUpperCase(Locale.ROOT));
        }
      }
      operations.put(path, methods);
    }
    return operations;
  }

  /**
   * What is wrong with a response of {@code method path} (a documented path template) compared with
   * the description; empty when it conforms. A HEAD response is judged as the GET's, without a body.
   */
  List<String> violations(HttpMethod method, String path, Answer response) {
    String operationKey = (method == HttpMethod.HEAD ? HttpMethod.GET : method).name().toLowerCase(Locale.ROOT);
    Node operation = at("/paths/" + escape(path) + "/" + operationKey);
    if (operation == null) {
      return List.of(method + " " + path + " is not documented");
    }
    Node documented = operation.child("responses").child(String.valueOf(response.status()));
    String where = method + " " + path + " " + response.status();
    if (documented == null) {
      return List.of(where + " is not a documented status; body: " + response.body());
    }
    return violations(where, documented, response, method != HttpMethod.HEAD);
  }

  /** Violations of a response against a shared response of components/responses (e.g. MethodNotAllowed). */
  List<String> violationsOfShared(String name, Answer response) {
    return violations(name + " " + response.status(), at("/components/responses/" + name), response, true);
  }

  private List<String> violations(String where, Node documented, Answer response, boolean hasBody) {
    List<String> violations = new ArrayList<>();
    Node headers = documented.child("headers");
    if (headers != null) {
      for (String name : headers.json().fieldNames()) {
        headerViolations(where + " header " + name, headers.child(name), response.headers().get(name), violations);
      }
    }
    Node content = documented.child("content");
    if (content == null) {
      return violations;
    }
    String contentType = response.headers().get("Content-Type");
    String mediaType = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
    Node media = content.child(mediaType);
    if (media == null) {
      violations.add(where + ": Content-Type " + contentType + " is not one of " + content.json().fieldNames());
      return violations;
    }
    if (hasBody && media.child("schema") != null) {
      valueViolations(where, media.child("schema"), bodyOf(mediaType, response.body()), violations);
    }
    return violations;
  }

  private void headerViolations(String where, Node header, String value, List<String> violations) {
    if (value == null) {
      if (header.json().getBoolean("required", false)) {
        violations.add(where + " is missing");
      }
      return;
    }
    if (header.child("schema") != null) {
      valueViolations(where, header.child("schema"), value, violations);
    }
  }

  private static Object bodyOf(String mediaType, Buffer body) {
    String text = body == null ? "" : body.toString();
    if (!mediaType.equals("application/json") && !mediaType.endsWith("+json")) {
      return text;
    }
    try {
      return Json.decodeValue(text);
    } catch (DecodeException e) {
      return new InvalidJson(text);
    }
  }

  /** Validates with the schema found at its place in the document, so its $refs resolve as in the document. */
  private void valueViolations(String where, Node schema, Object value, List<String> violations) {
    if (value instanceof InvalidJson invalid) {
      violations.add(where + ": body is not JSON: " + invalid.text());
      return;
    }
    OutputUnit result = repository.validator(BASE + "#" + schema.pointer(), OPTIONS).validate(value);
    if (!Boolean.TRUE.equals(result.getValid())) {
      List<OutputUnit> errors = result.getErrors() == null ? List.of(result) : result.getErrors();
      for (OutputUnit error : errors) {
        violations.add(where + ": " + error.getInstanceLocation() + " " + error.getError()
            + " (" + error.getKeywordLocation() + ")");
      }
      violations.add(where + ": the value was " + Json.encode(value));
    }
  }

  /** The node at a JSON pointer of the document, its $ref followed; null when there is none. */
  private Node at(String pointer) {
    Object value = JsonPointer.from(pointer).queryJson(raw);
    JsonObject json = asObject(value);
    if (json == null) {
      return null;
    }
    String ref = json.getString("$ref");
    return ref != null && ref.startsWith("#/") ? at(ref.substring(1)) : new Node(this, json, pointer);
  }

  /** Decoded JSON keeps nested objects as maps until they are read through JsonObject. */
  @SuppressWarnings("unchecked")
  private static JsonObject asObject(Object value) {
    if (value instanceof JsonObject json) {
      return json;
    }
    return value instanceof Map<?, ?> map ? new JsonObject((Map<String, Object>) map) : null;
  }

  private static String escape(String segment) {
    return segment.replace("~", "~0").replace("/", "~1");
  }

  /** A JSON object of the document and where it is (a pointer), so that its schemas can be named. */
  private record Node(OpenApiDescription document, JsonObject json, String pointer) {
    Node child(String key) {
      return json.containsKey(key) ? document.at(pointer + "/" + escape(key)) : null;
    }
  }

  private record InvalidJson(String text) {}

}
