package io.syncgateway;

public final class Main {
  public static void main(String[] args) {
  }
}
