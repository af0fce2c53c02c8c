package io.leann.shard.filter;

import io.leann.protocol.passages.Passage;
import io.leann.protocol.passages.PassageStore;
import io.leann.protocol.passages.PassageStoreException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * The filterable fields of a shard's passages, column by column, so that a {@link MetadataFilter}
 * is evaluated over all rows without parsing a passage: {@link #matching} returns the admitted
 * rows as a {@link BitSet}, the filter of a {@code io.leann.shard.search.SearchPlan} (node id ==
 * row), whose cardinality tells the plan whether an exact scan is cheaper than a graph walk.
 *
 * <p>Each metadata field is dictionary-encoded: one {@code int} code per row ({@code -1} where the
 * row lacks the field or holds JSON {@code null}) and one entry per distinct value. A condition is
 * evaluated at most once per distinct value, lazily, then applied to rows by code, which makes
 * category-like fields (a source file, a language, a year) nearly free and keeps the semantics
 * identical to {@link MetadataFilter#test} because both call the same compiled tests. Metadata keys
 * {@code id} and {@code text} are shadowed by the top-level fields, as in LEANN, and not stored.
 * Ids are held as a {@code String[]}; texts are not copied: a filter on {@code text} reads them
 * from the source per row, so it is evaluated last, on the rows the other fields left.
 *
 * <p>Memory: 4 bytes per row per metadata field present anywhere in the shard, plus the distinct
 * values. Immutable once built and thread-safe; when built from a {@link PassageStore}, the store
 * must stay open while text filters are evaluated.
 */
public final class MetadataColumns {
  static final String ID = "id";
  static final String TEXT = "text";
  private static final int MAX_ROWS = Integer.MAX_VALUE - 8;

  /** One dictionary-encoded metadata field. */
  private record Column(int[] codes, Object[] values) {}

  private final int size;
  private final String[] ids;
  private final IntFunction<String> texts;
  private final Map<String, Column> columns;

  private MetadataColumns(int size, String[] ids, IntFunction<String> texts, Map<String, Column> columns) {
    this.size = size;
    this.ids = ids;
    this.texts = texts;
    this.columns = columns;
  }

  /** Scans {@code store} once; text filters later read texts back from it. */
  public static MetadataColumns build(PassageStore store) {
    if (store.size() > MAX_ROWS) {
      throw new IllegalArgumentException("a shard of " + store.size() + " passages is too large for metadata columns");
    }
    int n = (int) store.size();
    Builder builder = new Builder(n);
    store.stream().forEachOrdered(builder::add);
    return builder.build(row -> {
      try {
        return store.get(row).text();
      } catch (PassageStoreException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /** Columns over {@code passages}, row i being the i-th passage. */
  public static MetadataColumns of(List<Passage> passages) {
    Builder builder = new Builder(passages.size());
    String[] texts = new String[passages.size()];
    for (Passage p : passages) {
      texts[builder.rows] = p.text();
      builder.add(p);
    }
    return builder.build(row -> texts[row]);
  }

  /** Number of rows. */
  public int size() {
    return size;
  }

  /** Metadata fields present in at least one row. */
  public Set<String> metadataFields() {
    return columns.keySet();
  }

  /** Distinct non-null values of a metadata field (0 for a field no row has). */
  public int distinctValues(String field) {
    Column c = columns.get(field);
    return c == null ? 0 : c.values().length;
  }

  /**
   * The rows {@code filter} admits. Metadata fields are applied first, then {@code id}, then
   * {@code text}, each only to the rows still admitted.
   */
  public BitSet matching(MetadataFilter filter) {
    BitSet rows = new BitSet(size);
    rows.set(0, size);
    List<MetadataFilter.FieldTest> ordered = new ArrayList<>(filter.fieldTests());
    ordered.sort((a, b) -> Integer.compare(cost(a.field()), cost(b.field())));
    for (MetadataFilter.FieldTest f : ordered) {
      if (rows.isEmpty()) {
        break;
      }
      switch (f.field()) {
        case ID -> retain(rows, row -> f.test(ids[row]));
        case TEXT -> retain(rows, row -> f.test(texts.apply(row)));
        default -> retainColumn(rows, columns.get(f.field()), f);
      }
    }
    return rows;
  }

  private static int cost(String field) {
    return switch (field) {
      case ID -> 1;
      case TEXT -> 2;
      default -> 0;
    };
  }

  private interface RowTest {
    boolean test(int row);
  }

  private static void retain(BitSet rows, RowTest test) {
    for (int row = rows.nextSetBit(0); row >= 0; row = rows.nextSetBit(row + 1)) {
      if (!test.test(row)) {
        rows.clear(row);
      }
    }
  }

  private static void retainColumn(BitSet rows, Column column, MetadataFilter.FieldTest f) {
    if (column == null) {
      rows.clear();
      return;
    }
    int[] codes = column.codes();
    Object[] values = column.values();
    // 0: not evaluated yet, 1: passes, 2: fails
    byte[] verdicts = new byte[values.length];
    for (int row = rows.nextSetBit(0); row >= 0; row = rows.nextSetBit(row + 1)) {
      int code = codes[row];
      if (code < 0) {
        rows.clear(row);
        continue;
      }
      byte verdict = verdicts[code];
      if (verdict == 0) {
        verdict = f.test(values[code]) ? (byte) 1 : (byte) 2;
        verdicts[code] = verdict;
      }
      if (verdict == 2) {
        rows.clear(row);
      }
    }
  }

  /** Accumulates rows in order; one dictionary per field while scanning. */
  private static final class Builder {
    private final int capacity;
    private final String[] ids;
    private final Map<String, ColumnBuilder> columns = new HashMap<>();
    private int rows;

    Builder(int capacity) {
      this.capacity = capacity;
      this.ids = new String[capacity];
    }

    void add(Passage p) {
      if (rows == capacity) {
        throw new IllegalStateException("the passage source yielded more than its " + capacity + " rows");
      }
      int row = rows++;
      ids[row] = p.id();
      for (Map.Entry<String, Object> e : p.metadata().entrySet()) {
        String field = e.getKey();
        if (e.getValue() == null || field.equals(ID) || field.equals(TEXT)) {
          continue;
        }
        columns.computeIfAbsent(field, f -> new ColumnBuilder(capacity)).set(row, e.getValue());
      }
    }

    MetadataColumns build(IntFunction<String> texts) {
      if (rows != capacity) {
        throw new IllegalStateException("the passage source yielded " + rows + " of its " + capacity + " rows");
      }
      Map<String, Column> built = new HashMap<>();
      columns.forEach((field, c) -> built.put(field, new Column(c.codes, c.values.toArray())));
      return new MetadataColumns(rows, ids, texts, Map.copyOf(built));
    }
  }

  private static final class ColumnBuilder {
    final int[] codes;
    final Map<Object, Integer> dictionary = new HashMap<>();
    final List<Object> values = new ArrayList<>();

    ColumnBuilder(int capacity) {
      codes = new int[capacity];
      Arrays.fill(codes, -1);
    }

    /**
     * Two rows may share a code only if every operator gives their values the same verdict. Scalars
     * equal under {@code equals} have the same type and content, so they qualify; containers do
     * not ({@code Map.equals} ignores key order, which {@code str()} and so {@code contains} see),
     * so they are keyed by their Python repr, which captures order, types and content.
     */
    void set(int row, Object value) {
      Object key = value instanceof List<?> || value instanceof Map<?, ?> ? new ReprKey(PyValues.repr(value)) : value;
      Integer code = dictionary.get(key);
      if (code == null) {
        code = values.size();
        dictionary.put(key, code);
        values.add(value);
      }
      codes[row] = code;
    }
  }

  private record ReprKey(String repr) {}
}
