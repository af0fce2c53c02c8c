package io.leann.shard.filter;

import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The operators of LEANN's metadata filters, with the Python LEANN's semantics on JSON values:
 * <ul>
 *   <li>{@code ==}, {@code !=}: Python equality: numbers by value across int, float and bool
 *       ({@code 1 == 1.0 == true}), strings exactly, lists and objects element by element; a string
 *       never equals a number ({@code "5" != 5}).
 *   <li>{@code <}, {@code <=}, {@code >}, {@code >=}: two strings compare as strings (by code point,
 *       so {@code "10" < "9"}); otherwise both sides are converted as Python's {@code float()} would
 *       (a numeric string becomes its number) and compared as numbers; if a side does not convert,
 *       both compare by their {@code str()} form. NaN compares false.
 *   <li>{@code in}, {@code not_in}: membership by {@code ==} in a list, which must be a list.
 *   <li>{@code contains}, {@code starts_with}, {@code ends_with}: on the Python {@code str()} forms of
 *       both sides ({@code True}, {@code 1.0}, {@code ['a', 'b']}).
 *   <li>{@code is_true}, {@code is_false}: Python truthiness of the field; the operand is a flag
 *       that must be {@code true}.
 * </ul>
 * Unlike the Python LEANN, which compares with whatever it is given, each operator takes only
 * operands that make sense for it ({@link #accepts}): {@code ==}/{@code !=} a string, number,
 * boolean or list; orderings and the string operators a string or a number; {@code in}/{@code not_in}
 * a list; never {@code null} or an object. A wrong operand is a mistake the caller should hear of,
 * not a filter that silently matches nothing or everything.
 * Immutable and thread-safe.
 */
public enum FilterOperator {
  EQ("=="),
  NE("!="),
  LT("<"),
  LE("<="),
  GT(">"),
  GE(">="),
  IN("in"),
  NOT_IN("not_in"),
  CONTAINS("contains"),
  STARTS_WITH("starts_with"),
  ENDS_WITH("ends_with"),
  IS_TRUE("is_true"),
  IS_FALSE("is_false");

  private final String symbol;

  FilterOperator(String symbol) {
    this.symbol = symbol;
  }

  /** The operator as written in a filter. */
  public String symbol() {
    return symbol;
  }

  /**
   * The operator written {@code symbol}.
   *
   * @throws IllegalArgumentException naming the operator and listing the valid ones
   */
  public static FilterOperator parse(String symbol) {
    for (FilterOperator op : values()) {
      if (op.symbol.equals(symbol)) {
        return op;
      }
    }
    throw new IllegalArgumentException("unknown filter operator '" + symbol + "'; valid operators: "
        + Arrays.stream(values()).map(FilterOperator::symbol).collect(Collectors.joining(", ")));
  }

  /** Whether {@code operand} (a JSON value in Jackson's natural types) suits this operator. */
  public boolean accepts(Object operand) {
    return switch (this) {
      case EQ, NE -> isComparable(operand);
      case LT, LE, GT, GE, CONTAINS, STARTS_WITH, ENDS_WITH -> operand instanceof String || operand instanceof Number;
      case IN, NOT_IN -> operand instanceof List<?> list && list.stream().allMatch(FilterOperator::isComparable);
      case IS_TRUE, IS_FALSE -> Boolean.TRUE.equals(operand);
    };
  }

  /** What {@link #accepts} wants, for messages. */
  String expected() {
    return switch (this) {
      case EQ, NE -> "a string, number, boolean or list";
      case LT, LE, GT, GE, CONTAINS, STARTS_WITH, ENDS_WITH -> "a string or a number";
      case IN, NOT_IN -> "a list of strings, numbers, booleans or lists";
      case IS_TRUE, IS_FALSE -> "true (the test is on the field; use " + (this == IS_TRUE ? "is_false" : "is_true")
          + " for the opposite)";
    };
  }

  /** A value {@code ==} can meaningfully compare a field with: JSON values but objects and null. */
  private static boolean isComparable(Object v) {
    return v instanceof String || v instanceof Number || v instanceof Boolean
        || v instanceof List<?> list && list.stream().allMatch(FilterOperator::isComparable);
  }

  /**
   * A test of field values against {@code operand}, with the operand's conversions done once.
   * The operand must be one this operator {@link #accepts}.
   */
  Predicate<Object> compile(Object operand) {
    return switch (this) {
      case EQ -> v -> PyValues.equal(v, operand);
      case NE -> v -> !PyValues.equal(v, operand);
      case LT, LE, GT, GE -> ordering(operand);
      case IN -> {
        List<?> list = (List<?>) operand;
        yield v -> contains(list, v);
      }
      case NOT_IN -> {
        List<?> list = (List<?>) operand;
        yield v -> !contains(list, v);
      }
      case CONTAINS -> {
        String s = PyValues.str(operand);
        yield v -> PyValues.str(v).contains(s);
      }
      case STARTS_WITH -> {
        String s = PyValues.str(operand);
        yield v -> PyValues.str(v).startsWith(s);
      }
      case ENDS_WITH -> {
        String s = PyValues.str(operand);
        yield v -> PyValues.str(v).endsWith(s);
      }
      case IS_TRUE -> PyValues::truthy;
      case IS_FALSE -> v -> !PyValues.truthy(v);
    };
  }

  private Predicate<Object> ordering(Object operand) {
    Object number = PyValues.orderNumber(operand);
    String str = PyValues.str(operand);
    return v -> {
      int c = PyValues.order(v, operand, number, str);
      if (c == PyValues.UNORDERED) {
        return false;
      }
      return switch (this) {
        case LT -> c < 0;
        case LE -> c <= 0;
        case GT -> c > 0;
        default -> c >= 0;
      };
    };
  }

  private static boolean contains(List<?> list, Object v) {
    for (Object item : list) {
      if (PyValues.equal(v, item)) {
        return true;
      }
    }
    return false;
  }
}
