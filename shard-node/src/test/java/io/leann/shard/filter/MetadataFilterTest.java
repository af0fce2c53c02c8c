package io.leann.shard.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.leann.protocol.passages.Passage;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetadataFilterTest {
  private static boolean passes(Object value, String op, Object operand) {
    Map<String, Object> metadata = new HashMap<>();
    metadata.put("f", value);
    Map<String, Object> ops = new HashMap<>();
    ops.put(op, operand);
    return MetadataFilter.of(Map.of("f", ops)).test(new Passage("0", "text", metadata));
  }

  @Test
  void equalityIsPythonEquality() {
    assertTrue(passes(1, "==", 1.0));
    assertTrue(passes(true, "==", 1));
    assertTrue(passes(3L, "==", new BigInteger("3")));
    assertFalse(passes("5", "==", 5));
    assertTrue(passes(List.of(1, 2), "==", List.of(1, 2.0)));
    assertFalse(passes(List.of(1, 2), "==", List.of(2, 1)));
    assertTrue(passes("x", "!=", "y"));
    assertFalse(passes(2, "!=", 2.0));
    assertFalse(passes(Double.NaN, "==", Double.NaN));
  }

  @Test
  void orderingComparesStringsAsStringsAndCoercesOtherwise() {
    assertTrue(passes("10", "<", "9"));
    assertFalse(passes("10", "<", 9));
    assertTrue(passes(10, ">", "9"));
    assertTrue(passes(" 1_000 ", ">", 999));
    assertTrue(passes("abc", ">", 5));
    assertFalse(passes(List.of(1), "<", 5));
    assertTrue(passes(true, ">", 0));
    assertTrue(passes(2, "<=", 2.0));
    assertTrue(passes(2, ">=", 2));
    assertFalse(passes(5, "<", Double.NaN));
    assertFalse(passes(5, ">=", Double.NaN));
    assertFalse(passes("nan", "<", 5));
    assertTrue(passes("-inf", "<", -1e308));
    assertTrue(passes(new BigInteger("1" + "0".repeat(400)), ">", 1e300));
    assertTrue(passes((1L << 53) + 1, ">", 9007199254740992.0));
    assertTrue(passes("é", ">", "z"));
    assertTrue(passes("\uD83D\uDE00", ">", "\uFFFD"));
  }

  @Test
  void membershipUsesEqualityAndNeedsAList() {
    assertTrue(passes(1, "in", List.of(1.0, 2)));
    assertFalse(passes("1", "in", List.of(1, 2)));
    assertTrue(passes("a", "not_in", List.of("b", "c")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MetadataFilter.of(Map.of("lang", Map.of("in", "en"))));
    assertTrue(e.getMessage().contains("'in'") && e.getMessage().contains("'lang'") && e.getMessage().contains("list"),
        e.getMessage());
  }

  @Test
  void stringOperatorsSeePythonStrForms() {
    assertTrue(passes(List.of("ai", "ml"), "contains", "ai"));
    assertTrue(passes(List.of("ai", "ml"), "contains", "'ml'"));
    assertTrue(passes(List.of("it's"), "ends_with", "\"it's\"]"));
    assertTrue(passes(true, "starts_with", "Tr"));
    assertTrue(passes(3.0, "contains", "3.0"));
    assertTrue(passes(1e16, "==", 1e16));
    assertTrue(passes(1e16, "contains", "1e+16"));
    assertTrue(passes(1.5e-5, "contains", "1.5e-05"));
    assertTrue(passes(0.0001, "contains", "0.0001"));
    assertTrue(passes(123456789.125, "contains", "123456789.125"));
    assertTrue(passes(Map.of("k", List.of(1, true)), "contains", "{'k': [1, True]}"));
    assertTrue(passes("report.pdf", "ends_with", ".pdf"));
    assertTrue(passes(2024, "starts_with", 20));
  }

  @Test
  void truthinessIsPythonTruthiness() {
    for (Object falsy : new Object[] {0, 0.0, "", List.of(), Map.of(), false}) {
      assertTrue(passes(falsy, "is_false", true), String.valueOf(falsy));
      assertFalse(passes(falsy, "is_true", true), String.valueOf(falsy));
    }
    for (Object truthy : new Object[] {1, -0.5, "false", List.of(0), true, Double.NaN}) {
      assertTrue(passes(truthy, "is_true", true), String.valueOf(truthy));
    }
  }

  @Test
  void operandsOfTheWrongTypeAreRejectedNamingFieldAndOperator() {
    Object[][] wrong = {
        {"is_true", "maybe"}, {"is_true", false}, {"is_false", 1}, {"==", Map.of()}, {"!=", Map.of("a", 1)},
        {"==", List.of(Map.of())}, {"in", "en"}, {"not_in", Map.of()}, {"in", List.of(Map.of("a", 1))},
        {"<", true}, {">=", List.of(1)}, {"contains", List.of("a")}, {"starts_with", Map.of()}, {"ends_with", false}};
    for (Object[] c : wrong) {
      Map<String, Object> ops = new HashMap<>();
      ops.put((String) c[0], c[1]);
      InvalidFilterException e = assertThrows(InvalidFilterException.class,
          () -> MetadataFilter.of(Map.of("language", ops)), c[0] + " " + c[1]);
      assertEquals("language", e.field());
      assertTrue(e.getMessage().contains("'" + c[0] + "'") && e.getMessage().contains("'language'"), e.getMessage());
    }
    Map<String, Object> nullOperand = new HashMap<>();
    nullOperand.put("==", null);
    assertThrows(InvalidFilterException.class, () -> MetadataFilter.of(Map.of("language", nullOperand)));
  }

  @Test
  void aFieldWithoutOperatorsIsRejected() {
    InvalidFilterException e = assertThrows(InvalidFilterException.class,
        () -> MetadataFilter.of(Map.of("language", Map.of())));
    assertEquals("language", e.field());
    assertEquals("metadata_filters.language", e.path("metadata_filters"));
    assertTrue(e.getMessage().contains("at least one operator"), e.getMessage());
  }

  @Test
  void fieldsAreLookedUpTopLevelFirstAndMissingOnesFail() {
    Map<String, Object> metadata = new HashMap<>();
    metadata.put("id", "shadowed");
    metadata.put("gone", null);
    metadata.put("year", 2021);
    Passage p = new Passage("doc-7", "Rivers and lanterns", metadata);
    assertTrue(MetadataFilter.of(Map.of("id", Map.of("==", "doc-7"))).test(p));
    assertTrue(MetadataFilter.of(Map.of("text", Map.of("contains", "lantern"))).test(p));
    assertFalse(MetadataFilter.of(Map.of("gone", Map.of("is_false", true))).test(p));
    assertFalse(MetadataFilter.of(Map.of("absent", Map.of("!=", 1))).test(p));
    Map<String, Object> range = new LinkedHashMap<>();
    range.put(">=", 2020);
    range.put("<", 2022);
    assertTrue(MetadataFilter.of(Map.of("year", range, "id", Map.of("starts_with", "doc"))).test(p));
    range.put("<", 2021);
    assertTrue(MetadataFilter.of(Map.of("year", Map.of(">=", 2020, "<", 2022))).test(p));
    assertFalse(MetadataFilter.of(Map.of("year", range)).test(p));
    assertTrue(MetadataFilter.ALL.test(p));
    assertTrue(MetadataFilter.of(null).isEmpty());
  }

  @Test
  void parsesJsonAndRejectsUnknownOperatorsAndBadShapes() throws Exception {
    ObjectMapper json = new ObjectMapper();
    MetadataFilter f = MetadataFilter.parse(json.readTree("""
        {"lang": {"in": ["en", "de"]}, "pages": {">": 10, "<=": 12345678901}, "draft": {"is_false": true}}"""));
    assertEquals(List.of("lang", "pages", "draft"), new ArrayList<>(f.fields()));
    assertEquals(4, f.conditions().size());
    assertEquals("{'lang': {'in': ['en', 'de']}, 'pages': {'>': 10, '<=': 12345678901}, 'draft': {'is_false': True}}",
        f.toString());
    assertTrue(f.test(new Passage("1", "", Map.of("lang", "de", "pages", 11, "draft", false))));
    assertFalse(f.test(new Passage("1", "", Map.of("lang", "fr", "pages", 11, "draft", false))));
    assertTrue(MetadataFilter.parse(json.readTree("null")).isEmpty());

    InvalidFilterException e = assertThrows(InvalidFilterException.class,
        () -> MetadataFilter.parse(json.readTree("{\"a\": {\"like\": 1}}")));
    assertTrue(e.getMessage().contains("'like'") && e.getMessage().contains("starts_with, ends_with, is_true"),
        e.getMessage());
    assertEquals("a", e.field());
    assertThrows(IllegalArgumentException.class, () -> MetadataFilter.parse(json.readTree("{\"a\": 1}")));
    assertNull(assertThrows(InvalidFilterException.class, () -> MetadataFilter.parse(json.readTree("[1]"))).field());
    assertThrows(IllegalArgumentException.class, () -> MetadataFilter.of(Map.of("a", Map.of("==", new Object()))));
    assertEquals(FilterOperator.NOT_IN, FilterOperator.parse("not_in"));
  }

  @Test
  void compiledFiltersDoNotSeeLaterChangesToTheirSource() {
    List<Object> langs = new ArrayList<>(List.of("en"));
    MetadataFilter f = MetadataFilter.of(Map.of("lang", Map.of("in", langs)));
    langs.add("de");
    assertFalse(f.test(new Passage("1", "", Map.of("lang", "de"))));
  }
}
