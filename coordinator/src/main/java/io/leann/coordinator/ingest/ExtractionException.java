package io.leann.coordinator.ingest;

/**
 * A file's content could not be turned into text; the message is the reason recorded in a
 * {@link LoadFailure}.
 */
final class ExtractionException extends Exception {

  ExtractionException(String reason) {
    super(reason);
  }

  ExtractionException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
