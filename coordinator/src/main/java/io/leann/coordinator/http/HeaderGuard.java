package io.leann.coordinator.http;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.extractRequest;

import java.util.Optional;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Refuses, as a whole and with the connection closed, a request whose header values hold a line
 * break, another control character or the remains of bytes that are not UTF-8.
 *
 * <p>Why: Pekko HTTP 1.3 and 1.4 read a byte 0xC0..0xF7 in a header value as the lead of a UTF-8
 * sequence and take the next one to three bytes with it without looking at them
 * ({@code HttpHeaderParser.scanHeaderValue}); when the sequence does not decode, the bytes are
 * copied into the value. So {@code X-A: v\xE9\r\nContent-Length: 40\r\n} is one header {@code X-A}
 * whose value runs over the CR LF and swallows the next header line: the request loses its
 * {@code Content-Length}, and its body is read as a second request on the same connection (request
 * smuggling behind any proxy that framed the request by that header). No released version fixes
 * the parser, so the API checks what it produced: a value with CR or LF in it can only come from
 * such a swallow, and one with U+FF80..U+FFFF (a byte sign-extended to a char, or U+FFFD) from
 * undecodable bytes. The answer is a JSON 400 with {@code Connection: close}, so whatever bytes
 * followed on the connection are never parsed as a request. The header's name is reported (the
 * engine has checked it is a token), never its value.
 *
 * <p>Valid UTF-8 in a header value decodes to ordinary characters and passes (tabs became spaces in
 * the parser), except the halfwidth and specials forms from U+FF80 on, which cannot be told apart
 * from those remains. Stateless and thread-safe.
 */
final class HeaderGuard {
  private HeaderGuard() {}

  /** {@code inner} for requests whose headers are clean; a 400 that closes the connection for the rest. */
  static Route wrap(Supplier<Route> inner) {
    return extractRequest(request -> offending(request)
        .map(name -> complete(ApiErrors.response(400, "bad_request", "header '" + name
                + "' holds a line break, a control character or bytes that are not UTF-8")
            .addHeader(Connection.create("close"))))
        .orElseGet(inner));
  }

  /** The name of the first header whose value the parser could only have produced from bad bytes. */
  static Optional<String> offending(HttpRequest request) {
    for (HttpHeader header : request.getHeaders()) {
      if (!clean(header.value())) {
        return Optional.of(header.name());
      }
    }
    return Optional.empty();
  }

  private static boolean clean(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 && c != '\t' || c == 0x7F || c >= 0xFF80) {
        return false;
      }
    }
    return true;
  }
}
