package io.syncgateway.bus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** docs/architecture.md documents exactly the addresses the code consumes, and the message records it carries. */
@DisplayName("The event-bus contracts in docs/architecture.md match the code")
class AddressesDocTest {
  private static final Pattern ROW = Pattern.compile("^\\| `(sync\\.[a-z.]+)` \\| [^|]+ \\| (.+) \\| (.+) \\|$");

  private static List<String[]> rows() throws IOException {
    List<String[]> rows = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("docs/architecture.md"))) {
      Matcher matcher = ROW.matcher(line);
      if (matcher.find()) {
        rows.add(new String[] {matcher.group(1), matcher.group(2), matcher.group(3)});
      }
    }
    return rows;
  }

  @Test
  @DisplayName("every consumed address has a row, and every row is a consumed address, in the same order")
  void addressesMatch() throws IOException {
    assertThat(rows().stream().map(row -> row[0]).toList()).isEqualTo(Addresses.CONSUMED);
  }

  @Test
  @DisplayName("every message record with a codec is named in the request or reply of some address")
  void messageRecordsAreDocumented() throws IOException {
    String documented = String.join(" ", rows().stream().map(row -> row[1] + " " + row[2]).toList());
    for (Class<?> type : BusCodecs.messageTypes()) {
      assertThat(documented).as(type.getSimpleName()).contains("`" + type.getSimpleName() + "`");
    }
  }
}
