package io.syncgateway.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link of the documentation resolves to a file inside the repository, so that a
 * fresh clone has no dead link: markdown links {@code [text](path)} and {@code <img src="path">} in
 * README.md, docs/**.md and the README.md files of clients/, examples/ and deploy/. Anchors are
 * stripped; web and mail links are not checked.
 */
class RelativeLinksTest {
  private static final Path ROOT = Path.of("").toAbsolutePath().normalize();
  private static final Pattern MARKDOWN_LINK = Pattern.compile("!?\\[[^\\]]*]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
  private static final Pattern IMG_SRC = Pattern.compile("<img\\b[^>]*\\bsrc\\s*=\\s*[\"']([^\"']+)[\"']", Pattern.CASE_INSENSITIVE);
  private static final Pattern FENCE = Pattern.compile("(?ms)^\\s*(```|~~~).*?^\\s*\\1\\s*$");
  private static final Pattern INLINE_CODE = Pattern.compile("`[^`\\n]*`");
  private static final Pattern EXTERNAL = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

  @Test
  void everyRelativeLinkOfTheDocumentationResolvesInsideTheRepository() {
    List<String> dead = new ArrayList<>();
    for (Path document : documents()) {
      for (String link : links(read(document))) {
        String problem = problemWith(document, link);
        if (problem != null) {
          dead.add(ROOT.relativize(document) + ": " + link + " (" + problem + ")");
        }
      }
    }
    assertThat(dead).isEmpty();
  }

  @Test
  void theDocumentationIsFound() {
    assertThat(documents()).contains(ROOT.resolve("README.md"), ROOT.resolve("docs/protocol.md"));
  }

  @Test
  void aLinkOutsideTheRepositoryOrToNothingIsCaught() {
    Path readme = ROOT.resolve("README.md");
    assertThat(problemWith(readme, "../shared/PROTOCOL.md")).isNotNull();
    assertThat(problemWith(readme, "docs/no-such-file.md#anchor")).isNotNull();
    assertThat(problemWith(readme, "docs/protocol.md#3-push--post-apisyncpush")).isNull();
    assertThat(problemWith(readme, "https://example.com/x.md")).isNull();
    assertThat(links("see [a](docs/a.md), `[b](not-a-link.md)` and <img src=\"img/c.png\" alt=\"c\">"))
        .containsExactly("docs/a.md", "img/c.png");
  }

  /** Why a link is dead, or null when it resolves (or is not relative). */
  private static String problemWith(Path document, String link) {
    if (EXTERNAL.matcher(link).find() || link.startsWith("#") || link.startsWith("//")) {
      return null;
    }
    String path = URLDecoder.decode(link.replaceFirst("[#?].*$", ""), StandardCharsets.UTF_8);
    Path target = (path.startsWith("/") ? ROOT.resolve(path.substring(1)) : document.getParent().resolve(path))
        .normalize();
    if (!target.startsWith(ROOT)) {
      return "outside the repository";
    }
    return Files.exists(target) ? null : "no such file";
  }

  static List<String> links(String markdown) {
    String text = INLINE_CODE.matcher(FENCE.matcher(markdown).replaceAll("")).replaceAll("");
    List<String> links = new ArrayList<>();
    for (Pattern pattern : List.of(MARKDOWN_LINK, IMG_SRC)) {
      Matcher matcher = pattern.matcher(text);
      while (matcher.find()) {
        links.add(matcher.group(1));
      }
    }
    return links;
  }

  private static List<Path> documents() {
    List<Path> documents = new ArrayList<>();
    documents.add(ROOT.resolve("README.md"));
    documents.addAll(markdownUnder(ROOT.resolve("docs"), "")); // every .md
    for (String folder : List.of("clients", "examples", "deploy")) {
      documents.addAll(markdownUnder(ROOT.resolve(folder), "README.md"));
    }
    return documents;
  }

  private static List<Path> markdownUnder(Path folder, String name) {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(folder)) {
      return files.filter(Files::isRegularFile)
          .filter(file -> name.isEmpty() ? file.toString().endsWith(".md") : file.getFileName().toString().equals(name))
          .filter(file -> !file.toString().contains("node_modules"))
          .sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
