package io.leann.protocol;

import java.util.function.Supplier;
import org.slf4j.MDC;

/**
 * The request id of the work a thread does, kept in the SLF4J MDC under {@value #MDC_KEY} so that
 * every log line written for a request names it (the log pattern and the JSON encoder print the
 * MDC). The HTTP API takes it from {@code X-Request-Id} or makes one; cluster messages that serve
 * a request (shard searches, embed requests) carry it as a field, recompute frames to embed
 * workers as their trace id ({@code NativeCodec}), and the receiver puts it back with {@link #run}.
 * Stateless.
 */
public final class RequestIds {
  public static final String MDC_KEY = "requestId";

  private RequestIds() {}

  /** The current thread's request id, or null. */
  public static String current() {
    return MDC.get(MDC_KEY);
  }

  /** Runs {@code work} with {@code requestId} in the MDC (nothing set for null), then restores it. */
  public static <T> T call(String requestId, Supplier<T> work) {
    String previous = MDC.get(MDC_KEY);
    if (requestId != null) {
      MDC.put(MDC_KEY, requestId);
    }
    try {
      return work.get();
    } finally {
      if (previous == null) {
        MDC.remove(MDC_KEY);
      } else {
        MDC.put(MDC_KEY, previous);
      }
    }
  }

  /** {@link #call} without a result. */
  public static void run(String requestId, Runnable work) {
    call(requestId, () -> {
      work.run();
      return null;
    });
  }
}
