package io.leann.shard.filter;

import com.fasterxml.jackson.databind.JsonNode;
import io.leann.protocol.api.ApiException;
import io.leann.protocol.passages.Passage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A metadata filter in LEANN's shape, {@code {"field": {"op": value, ...}, ...}}: every field must
 * pass and every operator within a field must pass (AND throughout); an empty filter admits every
 * passage. A field is looked up among the passage's top-level fields first ({@code id},
 * {@code text}), then in its metadata; a field that is missing or JSON {@code null} fails. Operators
 * and their Python semantics are described in {@link FilterOperator}.
 *
 * <p>Unlike the Python LEANN, which drops an unknown operator with a warning (failing every passage),
 * parsing rejects it, as it rejects a field with no operator ({@code {"lang": {}}}) and an operand
 * the operator does not take ({@link FilterOperator#accepts}), each with an
 * {@link InvalidFilterException} naming the field. The
 * Python result field {@code score} is not a passage field: a filter on it is looked up in the
 * metadata like any other name; {@link #fields()} lets a caller spot and handle it after the search.
 *
 * <p>Immutable and thread-safe: operands are deep-copied at parse time and compiled once.
 * {@link #test(Passage)} evaluates one passage; {@link MetadataColumns#matching} evaluates all rows
 * of a shard at once with the same semantics.
 */
public final class MetadataFilter {
  /** The filter that admits every passage. */
  public static final MetadataFilter ALL = new MetadataFilter(List.of());

  /**
   * One {@code field op operand} clause.
   *
   * @param operand JSON value in Jackson's natural Java types; unmodifiable
   */
  public record Condition(String field, FilterOperator operator, Object operand) {}

  /** All conditions on one field, compiled into one test of the field's value. */
  record FieldTest(String field, List<Condition> conditions, List<Predicate<Object>> tests) {
    boolean test(Object value) {
      if (value == null) {
        return false;
      }
      for (Predicate<Object> t : tests) {
        if (!t.test(value)) {
          return false;
        }
      }
      return true;
    }
  }

  private final List<FieldTest> fieldTests;

  private MetadataFilter(List<FieldTest> fieldTests) {
    this.fieldTests = fieldTests;
  }

  /**
   * Parses a filter from JSON. A JSON {@code null} or absent node is the empty filter.
   *
   * @throws InvalidFilterException if the shape is wrong, a field has no operator, an operator is
   *     unknown or an operand does not suit its operator
   */
  public static MetadataFilter parse(JsonNode spec) {
    if (spec == null || spec.isNull() || spec.isMissingNode()) {
      return ALL;
    }
    if (!spec.isObject()) {
      throw new InvalidFilterException(null, "must be a JSON object of field: {operator: value}, got "
          + spec.getNodeType());
    }
    Map<String, Object> map = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : spec.properties()) {
      map.put(e.getKey(), toJava(e.getValue()));
    }
    return of(map);
  }

  /**
   * The filter of a request's {@code metadata_filters} (null or empty: {@link #isEmpty() empty}); a
   * malformed one is a 400 naming {@code metadata_filters.<field>}. Every service goes through here,
   * so they answer a bad filter alike.
   */
  public static MetadataFilter ofRequest(Map<String, ?> spec) {
    try {
      return of(spec);
    } catch (InvalidFilterException e) {
      throw ApiException.badRequest(e.path("metadata_filters"), e.problem());
    }
  }

  /**
   * Builds a filter from a map in the JSON shape, its values in Jackson's natural types (lists may
   * be any {@link Collection}). A null map is the empty filter.
   *
   * @throws InvalidFilterException as {@link #parse(JsonNode)}, or for a value that is not JSON
   */
  public static MetadataFilter of(Map<String, ?> spec) {
    if (spec == null || spec.isEmpty()) {
      return ALL;
    }
    List<FieldTest> tests = new ArrayList<>(spec.size());
    for (Map.Entry<String, ?> e : spec.entrySet()) {
      String field = e.getKey();
      if (!(e.getValue() instanceof Map<?, ?> ops)) {
        throw new InvalidFilterException(field, "must be an object of operator: value, got "
            + PyValues.repr(copy(field, e.getValue())));
      }
      if (ops.isEmpty()) {
        throw new InvalidFilterException(field, "needs at least one operator, e.g. {\"==\": value}");
      }
      List<Condition> conditions = new ArrayList<>(ops.size());
      List<Predicate<Object>> compiled = new ArrayList<>(ops.size());
      for (Map.Entry<?, ?> op : ops.entrySet()) {
        FilterOperator operator;
        try {
          operator = FilterOperator.parse(String.valueOf(op.getKey()));
        } catch (IllegalArgumentException unknown) {
          throw new InvalidFilterException(field, "has an " + unknown.getMessage());
        }
        Object operand = copy(field, op.getValue());
        if (!operator.accepts(operand)) {
          throw new InvalidFilterException(field, "operator '" + operator.symbol() + "' needs " + operator.expected()
              + ", got " + PyValues.repr(operand));
        }
        compiled.add(operator.compile(operand));
        conditions.add(new Condition(field, operator, operand));
      }
      tests.add(new FieldTest(field, List.copyOf(conditions), List.copyOf(compiled)));
    }
    return new MetadataFilter(List.copyOf(tests));
  }

  /** Whether {@code passage} passes every condition. */
  public boolean test(Passage passage) {
    for (FieldTest f : fieldTests) {
      if (!f.test(fieldValue(passage, f.field()))) {
        return false;
      }
    }
    return true;
  }

  /** True for the filter that admits everything. */
  public boolean isEmpty() {
    return fieldTests.isEmpty();
  }

  /** The filtered field names, in the order given. */
  public Set<String> fields() {
    return fieldTests.stream().map(FieldTest::field).collect(Collectors.toCollection(LinkedHashSet::new));
  }

  /** Every condition, field by field in the order given. */
  public List<Condition> conditions() {
    return fieldTests.stream().flatMap(f -> f.conditions().stream()).toList();
  }

  List<FieldTest> fieldTests() {
    return fieldTests;
  }

  /** The value a filter sees for {@code field}: a top-level field first, then the metadata. */
  static Object fieldValue(Passage passage, String field) {
    return switch (field) {
      case MetadataColumns.ID -> passage.id();
      case MetadataColumns.TEXT -> passage.text();
      default -> passage.metadata().get(field);
    };
  }

  @Override
  public String toString() {
    return fieldTests.stream()
        .map(f -> PyValues.repr(f.field()) + ": {" + f.conditions().stream()
            .map(c -> PyValues.repr(c.operator().symbol()) + ": " + PyValues.repr(c.operand()))
            .collect(Collectors.joining(", ")) + "}")
        .collect(Collectors.joining(", ", "{", "}"));
  }

  private static Object toJava(JsonNode n) {
    return switch (n.getNodeType()) {
      case NULL, MISSING -> null;
      case BOOLEAN -> n.booleanValue();
      case STRING -> n.textValue();
      case NUMBER -> n.isIntegralNumber()
          ? (n.canConvertToInt() ? (Object) n.intValue() : n.canConvertToLong() ? (Object) n.longValue() : n.bigIntegerValue())
          : (Object) n.doubleValue();
      case ARRAY -> {
        List<Object> list = new ArrayList<>(n.size());
        n.forEach(item -> list.add(toJava(item)));
        yield list;
      }
      case OBJECT -> {
        Map<String, Object> map = new LinkedHashMap<>();
        n.properties().forEach(e -> map.put(e.getKey(), toJava(e.getValue())));
        yield map;
      }
      default -> throw new IllegalArgumentException("a filter value must be JSON, got " + n.getNodeType());
    };
  }

  /** An unmodifiable deep copy of a JSON value of {@code field}'s filter, so the caller cannot change a compiled filter. */
  private static Object copy(String field, Object v) {
    return switch (v) {
      case null -> null;
      case String s -> s;
      case Number n -> n;
      case Boolean b -> b;
      case Collection<?> c -> {
        List<Object> list = new ArrayList<>(c.size());
        c.forEach(item -> list.add(copy(field, item)));
        yield Collections.unmodifiableList(list);
      }
      case Map<?, ?> m -> {
        Map<String, Object> map = new LinkedHashMap<>();
        m.forEach((k, item) -> map.put(String.valueOf(k), copy(field, item)));
        yield Collections.unmodifiableMap(map);
      }
      default -> throw new InvalidFilterException(field,
          "holds a value that is not JSON (string, number, boolean, null, list or object): " + v.getClass().getName());
    };
  }
}
