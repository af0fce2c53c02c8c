package io.leann.shard.filter;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The Python 3 value semantics LEANN's filter engine relies on, over JSON values in Jackson's
 * natural Java types ({@code String}, {@code Integer}/{@code Long}/{@code BigInteger},
 * {@code Double}, {@code Boolean}, {@code null}, {@code List}, {@code Map}): {@code ==} (numbers by
 * value across int, float and bool), ordering with its string fallbacks, {@code str()},
 * {@code float(str)} and truthiness. Stateless and thread-safe.
 */
final class PyValues {
  /** Result of a numeric comparison involving NaN, where Python's {@code < <= > >= ==} are all false. */
  static final int UNORDERED = Integer.MIN_VALUE;

  private static final long EXACT_DOUBLE_INTS = 1L << 53;
  /** What Python's {@code float()} accepts, after stripping whitespace and underscores. */
  private static final Pattern PY_FLOAT = Pattern.compile(
      "[+-]?(?:(?:\\d(?:_?\\d)*)(?:\\.(?:\\d(?:_?\\d)*)?)?|\\.\\d(?:_?\\d)*)(?:[eE][+-]?\\d(?:_?\\d)*)?");
  private static final Pattern PY_SPECIAL = Pattern.compile("(?i)[+-]?(?:inf|infinity|nan)");

  private PyValues() {}

  /** A number to Python: {@code int}, {@code float} or {@code bool} (which is an {@code int}). */
  private static boolean isNumber(Object v) {
    return v instanceof Number || v instanceof Boolean;
  }

  /** Python's {@code a == b} for JSON values. */
  static boolean equal(Object a, Object b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (isNumber(a) && isNumber(b)) {
      return compareNumbers(a, b) == 0;
    }
    if (a instanceof String sa && b instanceof String sb) {
      return sa.equals(sb);
    }
    if (a instanceof List<?> la && b instanceof List<?> lb) {
      if (la.size() != lb.size()) {
        return false;
      }
      Iterator<?> ia = la.iterator();
      Iterator<?> ib = lb.iterator();
      while (ia.hasNext()) {
        if (!equal(ia.next(), ib.next())) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof Map<?, ?> ma && b instanceof Map<?, ?> mb) {
      if (ma.size() != mb.size()) {
        return false;
      }
      for (Map.Entry<?, ?> e : ma.entrySet()) {
        if (!mb.containsKey(e.getKey()) || !equal(e.getValue(), mb.get(e.getKey()))) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  /**
   * LEANN's {@code _numeric_compare} without the operator: two strings compare as strings; else
   * both sides go through {@code float()} (numbers stay as they are) and compare as numbers; when a
   * side cannot, both compare by {@code str()}. Takes the right side's conversions precomputed, for
   * a filter that compares many values against one operand. Returns the sign of the comparison, or
   * {@link #UNORDERED} when NaN is involved.
   *
   * @param bNumber {@link #orderNumber(Object)} of {@code b}
   * @param bStr {@link #str(Object)} of {@code b}
   */
  static int order(Object a, Object b, Object bNumber, String bStr) {
    if (a instanceof String sa && b instanceof String sb) {
      return compareCodePoints(sa, sb);
    }
    if (bNumber != null) {
      Object aNumber = orderNumber(a);
      if (aNumber != null) {
        return compareNumbers(aNumber, bNumber);
      }
    }
    return compareCodePoints(str(a), bStr);
  }

  /** The value as LEANN's comparison sees it after {@code float()}, or null where that raises. */
  static Object orderNumber(Object v) {
    if (isNumber(v)) {
      return v;
    }
    return v instanceof String s ? parseFloat(s) : null;
  }

  /** Python's {@code float(s)}, or null where it raises {@code ValueError}. */
  private static Double parseFloat(String s) {
    String t = s.strip();
    if (PY_SPECIAL.matcher(t).matches()) {
      boolean negative = t.charAt(0) == '-';
      if (t.toLowerCase(Locale.ROOT).endsWith("nan")) {
        return Double.NaN;
      }
      return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    if (!PY_FLOAT.matcher(t).matches()) {
      return null;
    }
    return Double.parseDouble(t.replace("_", ""));
  }

  /** Compares two Python numbers exactly (an int is never rounded to a float first). */
  private static int compareNumbers(Object a, Object b) {
    boolean intA = isIntegral(a);
    boolean intB = isIntegral(b);
    if (intA && intB) {
      if (a instanceof BigInteger || b instanceof BigInteger) {
        return bigInteger(a).compareTo(bigInteger(b));
      }
      return Long.compare(longValue(a), longValue(b));
    }
    if (intA) {
      return compareIntToFloat(a, ((Number) b).doubleValue());
    }
    if (intB) {
      int c = compareIntToFloat(b, ((Number) a).doubleValue());
      return c == UNORDERED ? c : -c;
    }
    return compareDoubles(((Number) a).doubleValue(), ((Number) b).doubleValue());
  }

  /** Python's {@code bool(v)}. */
  static boolean truthy(Object v) {
    return switch (v) {
      case null -> false;
      case Boolean b -> b;
      case String s -> !s.isEmpty();
      case List<?> l -> !l.isEmpty();
      case Map<?, ?> m -> !m.isEmpty();
      case BigInteger i -> i.signum() != 0;
      case BigDecimal d -> d.signum() != 0;
      case Double d -> d != 0.0;
      case Float f -> f != 0.0f;
      case Number n -> n.longValue() != 0;
      default -> true;
    };
  }

  /** Python's {@code str(v)} of the value {@code json.loads} would produce. */
  static String str(Object v) {
    return v instanceof String s ? s : repr(v);
  }

  /** Python's {@code repr(v)}: as {@link #str} but strings quoted, which is how containers print items. */
  static String repr(Object v) {
    return switch (v) {
      case null -> "None";
      case Boolean b -> b ? "True" : "False";
      case String s -> reprString(s);
      case Double d -> reprFloat(d);
      case Float f -> reprFloat(f.doubleValue());
      case BigDecimal d -> reprFloat(d.doubleValue());
      case List<?> l -> {
        StringBuilder sb = new StringBuilder("[");
        for (Object item : l) {
          if (sb.length() > 1) {
            sb.append(", ");
          }
          sb.append(repr(item));
        }
        yield sb.append(']').toString();
      }
      case Map<?, ?> m -> {
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<?, ?> e : m.entrySet()) {
          if (sb.length() > 1) {
            sb.append(", ");
          }
          sb.append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
        }
        yield sb.append('}').toString();
      }
      default -> v.toString();
    };
  }

  /** Python's comparison of strings: by code point, which UTF-16 order is not past U+FFFF. */
  private static int compareCodePoints(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char ca = a.charAt(i);
      char cb = b.charAt(i);
      if (ca != cb) {
        boolean sa = Character.isSurrogate(ca);
        boolean sb = Character.isSurrogate(cb);
        if (sa != sb) {
          // A surrogate starts or continues a code point above U+FFFF, above every BMP char.
          return sa ? 1 : -1;
        }
        return ca < cb ? -1 : 1;
      }
    }
    return Integer.compare(a.length(), b.length());
  }

  private static boolean isIntegral(Object v) {
    return v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
        || v instanceof BigInteger || v instanceof Boolean;
  }

  private static long longValue(Object v) {
    return v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).longValue();
  }

  private static BigInteger bigInteger(Object v) {
    return v instanceof BigInteger i ? i : BigInteger.valueOf(longValue(v));
  }

  private static int compareIntToFloat(Object integral, double f) {
    if (Double.isNaN(f)) {
      return UNORDERED;
    }
    if (Double.isInfinite(f)) {
      return f > 0 ? -1 : 1;
    }
    if (!(integral instanceof BigInteger)) {
      long l = longValue(integral);
      if (-EXACT_DOUBLE_INTS <= l && l <= EXACT_DOUBLE_INTS) {
        return compareDoubles(l, f);
      }
    }
    return new BigDecimal(bigInteger(integral)).compareTo(new BigDecimal(f));
  }

  private static int compareDoubles(double x, double y) {
    if (Double.isNaN(x) || Double.isNaN(y)) {
      return UNORDERED;
    }
    return x < y ? -1 : x > y ? 1 : 0;
  }

  /** Python's float repr: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
  private static String reprFloat(double d) {
    if (Double.isNaN(d)) {
      return "nan";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "inf" : "-inf";
    }
    String sign = (d < 0 || (d == 0 && 1 / d < 0)) ? "-" : "";
    if (d == 0) {
      return sign + "0.0";
    }
    // Double.toString yields the shortest digits that round-trip, as Python's repr does.
    BigDecimal exact = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
    String digits = exact.unscaledValue().toString();
    int exponent = digits.length() - 1 - exact.scale();
    if (exponent < -4 || exponent >= 16) {
      String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      return sign + mantissa + "e" + (exponent < 0 ? "-" : "+")
          + (Math.abs(exponent) < 10 ? "0" : "") + Math.abs(exponent);
    }
    String plain = exact.toPlainString();
    return sign + (plain.indexOf('.') < 0 ? plain + ".0" : plain);
  }

  private static String reprString(String s) {
    char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
    StringBuilder sb = new StringBuilder(s.length() + 2).append(quote);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c == quote) {
            sb.append('\\').append(c);
          } else if (c < 0x20 || c == 0x7f) {
            sb.append(String.format("\\x%02x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append(quote).toString();
  }
}
