package io.leann.protocol.pickle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.leann.protocol.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The strict dict[str, int] pickle reader against pickles CPython wrote (protocols 2, 3, 5 here,
 * protocol 4 in the Python LEANN fixture) and against everything it must refuse.
 */
class StringIntDictPickleTest {
  private static final Path FILE = Path.of("documents.leann.passages.idx");
  /** {'0': 0, 'a': 255, 'b': 65535, 'c': 2**31-1, 'é': 2**40, 'n': -5}, pickled by CPython 3. */
  private static final Map<String, Long> EXPECTED = expected();
  private static final String PROTOCOL_2 = "80027d71002858010000003071014b0058010000006171024bff58010000006271034dffff"
      + "58010000006371044affffff7f5802000000c3a971058a0600000000000158010000006e71064afbffffff752e";
  private static final String PROTOCOL_3 = "8003" + PROTOCOL_2.substring(4);
  private static final String PROTOCOL_5 = "80059537000000000000007d94288c0130944b008c0161944bff8c0162944dffff8c0163"
      + "944affffff7f8c02c3a9948a060000000000018c016e944afbffffff752e";

  private static Map<String, Long> expected() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("0", 0L);
    m.put("a", 255L);
    m.put("b", 65535L);
    m.put("c", (long) Integer.MAX_VALUE);
    m.put("é", 1L << 40);
    m.put("n", -5L);
    return m;
  }

  private static Map<String, Long> read(byte[] bytes) throws PickleException {
    return StringIntDictPickle.read(MemorySegment.ofArray(bytes), FILE);
  }

  private static Map<String, Long> read(String hex) throws PickleException {
    return read(HexFormat.of().parseHex(hex));
  }

  private static String refused(String hex) {
    return assertThrows(PickleException.class, () -> read(hex)).getMessage();
  }

  @Test
  void readsWhatCPythonWritesWithProtocols2To5() throws IOException {
    for (String hex : List.of(PROTOCOL_2, PROTOCOL_3, PROTOCOL_5)) {
      Map<String, Long> dict = read(hex);
      assertEquals(EXPECTED, dict);
      assertEquals(List.copyOf(EXPECTED.keySet()), List.copyOf(dict.keySet()), "insertion order");
    }
  }

  @Test
  void readsThePythonLeannFixture() throws IOException {
    Path idx = Fixtures.leannPython().resolve("leann-python-full/documents.leann.passages.idx");
    Map<String, Long> dict = read(Files.readAllBytes(idx));
    assertEquals(400, dict.size());
    assertEquals(0L, dict.get("0"));
    assertEquals(874L, dict.get("1"));
    List<String> lines = Files.readAllLines(idx.resolveSibling("documents.leann.passages.jsonl"));
    long offset = 0;
    for (int i = 0; i < lines.size(); i++) {
      assertEquals(offset, dict.get(String.valueOf(i)), "offset of id " + i);
      offset += lines.get(i).getBytes(StandardCharsets.UTF_8).length + 1;
    }
  }

  @Test
  void readsSeveralSetitemsBatches() throws IOException {
    // CPython batches SETITEMS by 1000 pairs: MARK, 1000 pairs, SETITEMS, MARK, the rest, SETITEMS.
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x80, 4, '}', (byte) 0x94});
    for (int i = 0; i < 1200; i++) {
      if (i % 1000 == 0) {
        out.write('(');
      }
      byte[] key = String.valueOf(i).getBytes(StandardCharsets.UTF_8);
      out.write(0x8c);
      out.write(key.length);
      out.writeBytes(key);
      out.write(0x94);
      out.write('J');
      int v = i * 100_000;
      out.writeBytes(new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)});
      if (i % 1000 == 999 || i == 1199) {
        out.write('u');
      }
    }
    out.write('.');
    Map<String, Long> dict = read(out.toByteArray());
    assertEquals(1200, dict.size());
    assertEquals(119_900_000L, dict.get("1199"));
  }

  @Test
  void refusesANonDictPayload() {
    // [1, 2] and ('a',) as CPython pickles them
    assertTrue(refused("80049509000000000000005d94284b014b02652e").contains("EMPTY_LIST"));
    assertTrue(refused("8004950700000000000000" + "8c0161948594" + "2e").contains("opcode 0x85"));
    // a bare int
    assertTrue(refused("80044b072e").contains("the payload is not a dict[str, int]"));
  }

  @Test
  void refusesCodeAndOtherValueTypes() {
    // {'a': os.getcwd}: GLOBAL would import a function
    String global = refused("80027d7100580100000061710163706f7369780a6765746377640a7102732e");
    assertTrue(global.contains("(GLOBAL) is not allowed") && global.contains("nothing in the pickle is executed"), global);
    // {'a': 1.5}, {'a': {'b': 1}}
    assertTrue(refused("80049511000000000000007d948c016194473ff8000000000000732e").contains("BINFLOAT"));
    assertTrue(refused("80049511000000000000007d948c0161947d948c0162944b0173732e").contains("a second dict"));
    // {'a': 'X'}: a str value
    assertTrue(refused("80027d710058010000006171015801000000587102732e").contains("is a str, not an int"));
    // REDUCE straight away
    assertTrue(refused("800452").contains("(REDUCE)"));
  }

  @Test
  void refusesMalformedPickles() {
    assertTrue(refused("").contains("no PROTO"));
    assertTrue(refused("7d2e").contains("no PROTO"));
    assertTrue(refused("80017d2e").contains("unsupported pickle protocol 1"));
    assertTrue(refused("80047d28").contains("truncated"));
    assertTrue(refused(PROTOCOL_5.substring(0, 40)).contains("truncated"));
    assertTrue(refused("8004" + "95ff00000000000000" + "7d2e").contains("FRAME announces 255 bytes"));
    assertTrue(refused("80047d2e00").contains("1 bytes after STOP"));
    assertTrue(refused("80047d288c0161944b018c0161944b0275" + "2e").contains("key 'a' appears twice"));
    assertTrue(refused("80047d68052e").contains("memo index 5 was never stored"));
    assertTrue(refused("80047d8c02c3284b0173" + "2e").contains("not valid UTF-8"));
    assertTrue(refused("80047d8c01614b018c0162732e").contains("SETITEM(S) on a str"));
    assertTrue(refused("80047d8c01618a09000000000000000000732e").contains("does not fit in 64 bits"));
    String noStop = refused("80047d");
    assertTrue(noStop.startsWith(FILE + ": pickle byte 3: truncated"), noStop);
  }
}
