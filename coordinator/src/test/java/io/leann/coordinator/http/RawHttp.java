package io.leann.coordinator.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 spoken byte by byte over a plain socket, for what a client library will not send:
 * malformed headers, raw non-UTF-8 bytes, pipelined requests, garbage. {@link #exchange} writes the
 * bytes, half-closes and reads until the server closes the connection; {@link #responses} splits
 * what came back into responses framed by their {@code Content-Length}.
 */
final class RawHttp {
  /** One response as read off the wire; header names are lower case. */
  record Response(int status, Map<String, String> headers, String body) {}

  /** What the server sent on one connection before closing it. */
  record Exchange(List<Response> responses, boolean closedByServer) {}

  private RawHttp() {}

  /** ISO-8859-1 bytes of {@code s}, so {@code \u00e9} in a literal is the single byte 0xE9. */
  static byte[] latin1(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  /**
   * Sends {@code request} to 127.0.0.1:{@code port} and reads until the server closes the
   * connection or {@code quietMillis} pass without a byte.
   *
   * @param halfClose whether to shut the socket's output after writing (a client that is done)
   */
  static Exchange exchange(int port, byte[] request, boolean halfClose, int quietMillis) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout(quietMillis);
      OutputStream out = socket.getOutputStream();
      out.write(request);
      out.flush();
      if (halfClose) {
        socket.shutdownOutput();
      }
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[8192];
      boolean closed = false;
      try {
        for (int n; (n = in.read(buffer)) >= 0; ) {
          received.write(buffer, 0, n);
        }
        closed = true;
      } catch (SocketTimeoutException quiet) {
        // the server kept the connection open
      } catch (IOException reset) {
        closed = true;
      }
      return new Exchange(responses(received.toByteArray()), closed);
    }
  }

  /** The responses in {@code bytes}, each framed by its Content-Length. */
  static List<Response> responses(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    List<Response> responses = new ArrayList<>();
    int at = 0;
    while (at < text.length()) {
      int end = text.indexOf("\r\n\r\n", at);
      if (end < 0) {
        throw new AssertionError("an incomplete response: " + text.substring(at));
      }
      String[] lines = text.substring(at, end).split("\r\n");
      if (!lines[0].startsWith("HTTP/1.1 ")) {
        throw new AssertionError("not a status line: " + lines[0]);
      }
      int status = Integer.parseInt(lines[0].substring(9, 12));
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
      }
      int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
      int bodyStart = end + 4;
      String body = new String(bytes, bodyStart, length, StandardCharsets.UTF_8);
      responses.add(new Response(status, headers, body));
      at = bodyStart + length;
    }
    return responses;
  }
}
