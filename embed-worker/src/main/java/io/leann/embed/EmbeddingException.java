package io.leann.embed;

/** An embedding request failed: bad credentials, a refused request, a model error, wrong dimensions. */
public class EmbeddingException extends RuntimeException {
  public EmbeddingException(String message) {
    super(message);
  }

  public EmbeddingException(String message, Throwable cause) {
    super(message, cause);
  }
}
