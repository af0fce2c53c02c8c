package io.leann.protocol.pickle;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a Python pickle (protocols 2 to 5) whose payload is a {@code dict[str, int]}, such as the
 * Python LEANN's {@code *.passages.idx} (passage id to byte offset), without executing anything.
 *
 * <p>Only the opcodes CPython's pickler emits for such a dict are accepted: {@code PROTO},
 * {@code FRAME}, {@code EMPTY_DICT}, {@code MARK}, {@code SHORT_BINUNICODE}/{@code BINUNICODE}/
 * {@code BINUNICODE8}, {@code BININT}/{@code BININT1}/{@code BININT2}/{@code LONG1},
 * {@code MEMOIZE}/{@code BINPUT}/{@code LONG_BINPUT}, {@code BINGET}/{@code LONG_BINGET},
 * {@code SETITEM}/{@code SETITEMS} and {@code STOP}. Anything else (in particular {@code GLOBAL},
 * {@code STACK_GLOBAL} and {@code REDUCE}, which would import and call code) is refused with the
 * opcode and its byte offset. Keys must be str, values int in the signed 64-bit range, a key may
 * appear once, and the pickle must end with {@code STOP} right after the dict, at the end of the data.
 *
 * <p>Every read is bounds-checked against the data, so a truncated or corrupt pickle fails with a
 * {@link PickleException}, never an out-of-bounds read. Stateless; each call parses independently.
 */
public final class StringIntDictPickle {
  private static final int PROTO = 0x80;
  private static final int FRAME = 0x95;
  private static final int EMPTY_DICT = '}';
  private static final int MARK = '(';
  private static final int SHORT_BINUNICODE = 0x8c;
  private static final int BINUNICODE = 'X';
  private static final int BINUNICODE8 = 0x8d;
  private static final int BININT = 'J';
  private static final int BININT1 = 'K';
  private static final int BININT2 = 'M';
  private static final int LONG1 = 0x8a;
  private static final int MEMOIZE = 0x94;
  private static final int BINPUT = 'q';
  private static final int LONG_BINPUT = 'r';
  private static final int BINGET = 'h';
  private static final int LONG_BINGET = 'j';
  private static final int SETITEM = 's';
  private static final int SETITEMS = 'u';
  private static final int STOP = '.';
  /** Stack marker pushed by MARK. */
  private static final Object MARKER = new Object();

  private final MemorySegment data;
  private final Path file;
  private final List<Object> stack = new ArrayList<>();
  private final List<Object> memo = new ArrayList<>();
  private LinkedHashMap<String, Long> dict;
  private long pos;
  private long opcodeAt;

  private StringIntDictPickle(MemorySegment data, Path file) {
    this.data = data;
    this.file = file;
  }

  /**
   * Parses {@code data}, the whole content of {@code file}.
   *
   * @return the dict, in the pickle's insertion order
   * @throws PickleException naming {@code file} and the byte where the pickle went wrong
   */
  public static Map<String, Long> read(MemorySegment data, Path file) throws PickleException {
    return new StringIntDictPickle(data, file).parse();
  }

  private Map<String, Long> parse() throws PickleException {
    opcodeAt = 0;
    if (data.byteSize() < 2 || u8() != PROTO) {
      throw fail("not a pickle of protocol 2 or later (no PROTO opcode at the start)");
    }
    int protocol = u8();
    if (protocol < 2 || protocol > 5) {
      throw fail("unsupported pickle protocol " + protocol + " (2 to 5 are read)");
    }
    while (true) {
      opcodeAt = pos;
      int op = u8();
      switch (op) {
        case FRAME -> {
          long length = i64();
          if (length < 0 || length > data.byteSize() - pos) {
            throw fail("FRAME announces " + Long.toUnsignedString(length) + " bytes but "
                + (data.byteSize() - pos) + " remain (truncated?)");
          }
        }
        case EMPTY_DICT -> {
          if (dict != null) {
            throw fail("a second dict: the payload must be one flat dict[str, int]");
          }
          dict = new LinkedHashMap<>();
          stack.add(dict);
        }
        case MARK -> stack.add(MARKER);
        case SHORT_BINUNICODE -> stack.add(string(u8()));
        case BINUNICODE -> stack.add(string(u32()));
        case BINUNICODE8 -> stack.add(string(i64()));
        case BININT -> stack.add((long) i32());
        case BININT1 -> stack.add((long) u8());
        case BININT2 -> stack.add((long) (u8() | u8() << 8));
        case LONG1 -> stack.add(long1(u8()));
        case MEMOIZE -> memo.add(top());
        case BINPUT -> put(u8());
        case LONG_BINPUT -> put(u32());
        case BINGET -> stack.add(get(u8()));
        case LONG_BINGET -> stack.add(get(u32()));
        case SETITEM -> setItems(stack.size() - 2, false);
        case SETITEMS -> setItems(markIndex() + 1, true);
        case STOP -> {
          return finish();
        }
        default -> throw fail(describe(op) + " is not allowed: only a plain dict[str, int] is read,"
            + " and nothing in the pickle is executed");
      }
    }
  }

  private Map<String, Long> finish() throws PickleException {
    if (stack.size() != 1 || stack.get(0) != dict || dict == null) {
      throw fail("the payload is not a dict[str, int] (STOP with "
          + (stack.isEmpty() ? "an empty stack" : "a " + kind(stack.get(stack.size() - 1)) + " on top")
          + ")");
    }
    if (pos != data.byteSize()) {
      throw fail((data.byteSize() - pos) + " bytes after STOP");
    }
    return dict;
  }

  /**
   * Moves the pairs from stack index {@code from} to the top into the dict below them (below their
   * MARK for SETITEMS) and pops them, and the MARK.
   */
  private void setItems(int from, boolean marked) throws PickleException {
    int targetAt = marked ? from - 2 : from - 1;
    if (targetAt < 0 || (stack.size() - from) % 2 != 0) {
      throw fail("SETITEM(S) without a dict and whole key/value pairs on the stack");
    }
    Object target = stack.get(targetAt);
    if (target != dict || dict == null) {
      throw fail("SETITEM(S) on a " + kind(target) + ", not on the dict");
    }
    for (int i = from; i < stack.size(); i += 2) {
      Object key = stack.get(i);
      Object value = stack.get(i + 1);
      if (!(key instanceof String k)) {
        throw fail("a key is a " + kind(key) + ", not a str");
      }
      if (!(value instanceof Long v)) {
        throw fail("the value of key '" + key + "' is a " + kind(value) + ", not an int");
      }
      if (dict.putIfAbsent(k, v) != null) {
        throw fail("key '" + k + "' appears twice");
      }
    }
    stack.subList(targetAt + 1, stack.size()).clear();
  }

  private int markIndex() throws PickleException {
    for (int i = stack.size() - 1; i >= 0; i--) {
      if (stack.get(i) == MARKER) {
        return i;
      }
    }
    throw fail("SETITEMS without a MARK");
  }

  private Object top() throws PickleException {
    if (stack.isEmpty() || stack.get(stack.size() - 1) == MARKER) {
      throw fail("memoize with nothing on the stack");
    }
    return stack.get(stack.size() - 1);
  }

  private void put(long index) throws PickleException {
    Object value = top();
    if (index < 0 || index > memo.size()) {
      throw fail("memo index " + index + " skips entries (the memo holds " + memo.size() + ")");
    }
    if (index == memo.size()) {
      memo.add(value);
    } else {
      memo.set((int) index, value);
    }
  }

  private Object get(long index) throws PickleException {
    if (index < 0 || index >= memo.size()) {
      throw fail("memo index " + index + " was never stored (the memo holds " + memo.size() + ")");
    }
    return memo.get((int) index);
  }

  private long long1(int length) throws PickleException {
    if (length > Long.BYTES) {
      throw fail("an int of " + length + " bytes does not fit in 64 bits");
    }
    need(length);
    long value = 0;
    for (int i = 0; i < length; i++) {
      value |= (data.get(ValueLayout.JAVA_BYTE, pos + i) & 0xffL) << (8 * i);
    }
    if (length > 0 && length < Long.BYTES && data.get(ValueLayout.JAVA_BYTE, pos + length - 1) < 0) {
      value |= -1L << (8 * length);
    }
    pos += length;
    return value;
  }

  private String string(long length) throws PickleException {
    if (length < 0 || length > Integer.MAX_VALUE - 8) {
      throw fail("a string of " + Long.toUnsignedString(length) + " bytes");
    }
    need(length);
    byte[] bytes = data.asSlice(pos, length).toArray(ValueLayout.JAVA_BYTE);
    pos += length;
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw fail("a str that is not valid UTF-8");
    }
  }

  private int u8() throws PickleException {
    need(1);
    return data.get(ValueLayout.JAVA_BYTE, pos++) & 0xff;
  }

  private int i32() throws PickleException {
    need(4);
    int v = data.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), pos);
    pos += 4;
    return v;
  }

  private long u32() throws PickleException {
    return i32() & 0xffffffffL;
  }

  private long i64() throws PickleException {
    need(8);
    long v = data.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), pos);
    pos += 8;
    return v;
  }

  private void need(long bytes) throws PickleException {
    if (bytes > data.byteSize() - pos) {
      throw fail("truncated: " + bytes + " more bytes needed, " + (data.byteSize() - pos) + " remain");
    }
  }

  private PickleException fail(String problem) {
    return new PickleException(file, opcodeAt, problem);
  }

  private String kind(Object o) {
    if (o == MARKER) {
      return "MARK";
    }
    if (o == dict) {
      return "dict";
    }
    return o instanceof String ? "str" : o instanceof Long ? "int" : "nothing";
  }

  private static String describe(int op) {
    String name = switch (op) {
      case 'c' -> "GLOBAL";
      case 0x93 -> "STACK_GLOBAL";
      case 'R' -> "REDUCE";
      case 'b' -> "BUILD";
      case 'i' -> "INST";
      case 'o' -> "OBJ";
      case 0x81 -> "NEWOBJ";
      case 0x92 -> "NEWOBJ_EX";
      case ']' -> "EMPTY_LIST";
      case ')' -> "EMPTY_TUPLE";
      case 0x8f -> "EMPTY_SET";
      case 'N' -> "NONE";
      case 'G' -> "BINFLOAT";
      case 'B', 'C', 0x8e -> "BINBYTES";
      default -> null;
    };
    return String.format("opcode 0x%02x", op) + (name == null ? "" : " (" + name + ")");
  }
}
