package io.syncgateway.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Just enough YAML for checking a hand-written manifest (no YAML library on the classpath): block
 * mappings and "- " list items by indentation, one {@code key: value} per line, comments dropped.
 */
final class YamlLines {
  /** One non-blank line: its key's column, key and value (value empty for a block). */
  record Line(int indent, String key, String value) {}

  private final List<Line> lines;

  private YamlLines(List<Line> lines) {
    this.lines = lines;
  }

  static YamlLines read(Path file) {
    try {
      List<Line> parsed = new ArrayList<>();
      for (String raw : Files.readAllLines(file)) {
        String text = raw.replaceFirst("\\s+#.*$", "").replaceFirst("^\\s*#.*$", "");
        if (text.isBlank() || text.strip().equals("---")) {
          continue;
        }
        int indent = text.length() - text.stripLeading().length();
        String content = text.strip();
        if (content.startsWith("- ")) { // a list item: its first key sits two columns further in
          indent += 2;
          content = content.substring(2).strip();
        }
        int colon = content.indexOf(':');
        if (colon < 0) {
          continue;
        }
        parsed.add(new Line(indent, content.substring(0, colon).strip(), unquote(content.substring(colon + 1).strip())));
      }
      return new YamlLines(parsed);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every line, in file order. */
  List<Line> lines() {
    return lines;
  }

  /** The lines nested under the first line with {@code key} (deeper indentation, up to the next sibling). */
  YamlLines block(String key) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).key().equals(key)) {
        int indent = lines.get(i).indent();
        List<Line> nested = new ArrayList<>();
        for (int j = i + 1; j < lines.size() && lines.get(j).indent() > indent; j++) {
          nested.add(lines.get(j));
        }
        return new YamlLines(nested);
      }
    }
    throw new AssertionError("no '" + key + ":' in " + lines);
  }

  /** The value of the first line with {@code key}. */
  Optional<String> value(String key) {
    return lines.stream().filter(line -> line.key().equals(key)).map(Line::value).findFirst();
  }

  /** The values of every line with {@code key}, in file order. */
  List<String> values(String key) {
    return lines.stream().filter(line -> line.key().equals(key)).map(Line::value).toList();
  }

  private static String unquote(String value) {
    if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
        || value.startsWith("'") && value.endsWith("'"))) {
      return value.substring(1, value.length() - 1);
    }
    return value;
  }
}
