package io.syncgateway.batch;

/** Thrown while reading one item: only that item is rejected, the batch goes on. */
final class ItemRejectedException extends RuntimeException {
  private final Rejection rejection;

  ItemRejectedException(Rejection rejection) {
    super(rejection.message(), null, false, false);
    this.rejection = rejection;
  }

  Rejection rejection() {
    return rejection;
  }
}
