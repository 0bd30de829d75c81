package io.syncgateway.client.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line split into options and the command with its arguments. Options may come before
 * or after the command, as {@code --name value} or {@code --name=value}; {@code --} ends the options
 * (so an argument may start with {@code --}).
 */
record CliArguments(Map<String, String> options, Set<String> flags, List<String> command) {
  private static final Set<String> VALUED = Set.of("url", "token", "store");
  private static final Set<String> FLAGS = Set.of("offline", "version", "help");

  /** A command line the client cannot run: exit code 2, with the usage. */
  static final class UsageError extends RuntimeException {
    UsageError(String message) {
      super(message);
    }
  }

  static CliArguments parse(List<String> args) {
    Map<String, String> options = new HashMap<>();
    Set<String> flags = new HashSet<>();
    List<String> command = new ArrayList<>();
    boolean optionsEnded = false;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (optionsEnded || !arg.startsWith("--")) {
        command.add(arg);
      } else if (arg.equals("--")) {
        optionsEnded = true;
      } else {
        int eq = arg.indexOf('=');
        String name = arg.substring(2, eq < 0 ? arg.length() : eq);
        if (FLAGS.contains(name) && eq < 0) {
          flags.add(name);
        } else if (VALUED.contains(name)) {
          if (eq < 0 && i + 1 >= args.size()) {
            throw new UsageError("--" + name + " needs a value");
          }
          options.put(name, eq < 0 ? args.get(++i) : arg.substring(eq + 1));
        } else {
          throw new UsageError("unknown option " + arg);
        }
      }
    }
    return new CliArguments(options, flags, command);
  }

  boolean has(String flag) {
    return flags.contains(flag);
  }

  String required(String option) {
    String value = options.get(option);
    if (value == null || value.isBlank()) {
      throw new UsageError("--" + option + " is required");
    }
    return value;
  }
}
