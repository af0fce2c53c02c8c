package io.leann.bench.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reader of gzipped IDX image files (the MNIST family's format: big-endian header with magic
 * {@code 0x00000803}, image count, rows, columns, then one unsigned byte per pixel). Pixels become
 * floats with their raw 0..255 values, as ann-benchmarks uses them.
 *
 * @param pixels rows x columns of one image
 * @param data the images, one row of {@code pixels} floats each
 */
record IdxImages(int pixels, float[] data) {
  private static final int MAGIC_U8_3D = 0x00000803;

  /** Reads all images of {@code gz} into one flat row-major array. */
  static IdxImages read(Path gz) throws IOException {
    try (InputStream raw = Files.newInputStream(gz);
        DataInputStream in = new DataInputStream(
            new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16))) {
      int magic = in.readInt();
      if (magic != MAGIC_U8_3D) {
        throw new IOException(gz + ": not an IDX u8 image file (magic 0x"
            + Integer.toHexString(magic) + ", expected 0x803)");
      }
      int count = in.readInt();
      int pixels = Math.multiplyExact(in.readInt(), in.readInt());
      byte[] image = new byte[pixels];
      float[] out = new float[Math.multiplyExact(count, pixels)];
      for (int i = 0; i < count; i++) {
        in.readFully(image);
        for (int p = 0; p < pixels; p++) {
          out[i * pixels + p] = image[p] & 0xff;
        }
      }
      return new IdxImages(pixels, out);
    } catch (EOFException e) {
      throw new IOException(gz + ": truncated IDX file", e);
    }
  }
}
