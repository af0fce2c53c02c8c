package io.leann.embed.zmq;

import io.leann.protocol.passages.PassageStore;
import io.leann.protocol.passages.PassageStoreException;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves the ids of the Python LEANN's id-based requests to passage texts. Thread-safe if the
 * underlying store is ({@link PassageStore} is).
 */
@FunctionalInterface
public interface PassageTexts {

  /**
   * The text of passage {@code id}, or null when there is none to embed: an unknown id, an
   * unreadable row or an empty text (the Python server answers all three with a sentinel).
   */
  String text(String id);

  /**
   * Ids are rows (graph node ids), the invariant of our indexes and of Python-built ones, whose
   * default passage ids are the row numbers.
   */
  static PassageTexts byRow(PassageStore store) {
    return id -> {
      long row;
      try {
        row = Long.parseLong(id);
      } catch (NumberFormatException e) {
        return null;
      }
      return row >= 0 && row < store.size() ? read(store, row) : null;
    };
  }

  /** Ids are passage ids, looked up through the store's id table ({@code ids.txt}). */
  static PassageTexts byPassageId(PassageStore store) {
    return id -> {
      try {
        OptionalLong row = store.rowOf(id);
        return row.isPresent() ? read(store, row.getAsLong()) : null;
      } catch (PassageStoreException e) {
        LoggerFactory.getLogger(PassageTexts.class).warn("passage id table unreadable", e);
        return null;
      }
    };
  }

  private static String read(PassageStore store, long row) {
    try {
      String text = store.get(row).text();
      return text == null || text.isEmpty() ? null : text;
    } catch (PassageStoreException e) {
      Logger log = LoggerFactory.getLogger(PassageTexts.class);
      log.warn("passage row {} unreadable: {}", row, e.getMessage());
      return null;
    }
  }
}
