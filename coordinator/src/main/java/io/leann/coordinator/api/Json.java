package io.leann.coordinator.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.cfg.MutableCoercionConfig;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.leann.protocol.api.ApiException;
import java.io.IOException;
import java.util.Collection;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.marshalling.Marshaller;
import org.apache.pekko.http.javadsl.model.RequestEntity;
import org.apache.pekko.util.ByteString;

/**
 * The one {@link ObjectMapper} of the API (HTTP routes, MCP tools, the embedded Python entry), its response marshaller, and request-body parsing
 * that turns every Jackson failure into a 400 {@link ApiException} a client can act on.
 *
 * <p>Reading is lenient where it is harmless (unknown fields are ignored, so older clients keep
 * working against newer servers and the other way round) and strict where silence would hide a
 * mistake: a float for an integer field, trailing content after the JSON value and a wrong type
 * are all rejected, naming the field ({@code top_k}, {@code documents[2].text}). No scalar is
 * coerced into another type: {@code "5"} or {@code ""} is not an integer, {@code -1} not a
 * boolean, {@code true} not a string; only an integer is accepted where a number is expected.
 *
 * <p>Field names come from the DTOs' {@code @JsonProperty} annotations (snake_case); the mapper adds
 * no naming strategy of its own. Thread-safe.
 */
public final class Json {
  private static final CoercionInputShape STRING = CoercionInputShape.String;
  private static final CoercionInputShape EMPTY_STRING = CoercionInputShape.EmptyString;
  private static final CoercionInputShape INTEGER = CoercionInputShape.Integer;
  private static final CoercionInputShape FLOAT = CoercionInputShape.Float;
  private static final CoercionInputShape BOOLEAN = CoercionInputShape.Boolean;
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      // Jackson's defaults would read "5" as 5, "" as null, -1 as true and true as "true".
      .withCoercionConfig(LogicalType.Textual, fail(INTEGER, FLOAT, BOOLEAN))
      .withCoercionConfig(LogicalType.Integer, fail(STRING, EMPTY_STRING, FLOAT, BOOLEAN))
      .withCoercionConfig(LogicalType.Float, fail(STRING, EMPTY_STRING, BOOLEAN))
      .withCoercionConfig(LogicalType.Boolean, fail(STRING, EMPTY_STRING, INTEGER, FLOAT))
      .withCoercionConfig(LogicalType.Map, fail(STRING, EMPTY_STRING))
      .withCoercionConfig(LogicalType.Collection, fail(STRING, EMPTY_STRING))
      .withCoercionConfig(LogicalType.Array, fail(STRING, EMPTY_STRING))
      .withCoercionConfig(LogicalType.POJO, fail(STRING, EMPTY_STRING))
      .build();
  private static final Marshaller<Object, RequestEntity> MARSHALLER = Jackson.marshaller(MAPPER);
  private static final Pattern COERCED_STRING = Pattern.compile("Cannot coerce String value \\((\".*\")\\) to ");

  private Json() {}

  /** A coercion config refusing values of the given JSON shapes. */
  private static Consumer<MutableCoercionConfig> fail(CoercionInputShape... shapes) {
    return config -> {
      for (CoercionInputShape shape : shapes) {
        config.setCoercion(shape, CoercionAction.Fail);
      }
    };
  }

  /** The shared mapper, configured as described above. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** Marshals any DTO of the API as {@code application/json}. */
  @SuppressWarnings("unchecked")
  public static <T> Marshaller<T, RequestEntity> marshaller() {
    return (Marshaller<T, RequestEntity>) (Marshaller<?, RequestEntity>) MARSHALLER;
  }

  /** The JSON bytes of {@code value}; DTOs always serialise, so a failure is a bug. */
  public static byte[] bytes(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + value.getClass().getName(), e);
    }
  }

  /**
   * Parses a request body.
   *
   * @param type what the body must hold
   * @param root name of the body in messages about array elements ({@code documents[2].text});
   *     object fields are named by themselves ({@code top_k})
   * @throws ApiException 400 for an empty body, invalid JSON (with Jackson's line and column), a
   *     JSON {@code null} or a value of the wrong type (naming the field)
   */
  public static <T> T read(ByteString body, JavaType type, String root) {
    String expected = describe(type.getRawClass());
    if (body.isEmpty()) {
      throw new ApiException(400, "bad_request", "the request body is empty: expected " + expected);
    }
    T value;
    try {
      value = MAPPER.readValue(body.toArray(), type);
    } catch (StreamReadException e) {
      throw new ApiException(400, "invalid_json", "the request body is not valid JSON: "
          + e.getOriginalMessage() + location(e.getLocation()));
    } catch (MismatchedInputException e) {
      throw mismatch(e, root, expected);
    } catch (JsonMappingException e) {
      throw new ApiException(400, "bad_request", "the request body cannot be read as " + expected + ": "
          + e.getOriginalMessage() + location(e.getLocation()));
    } catch (IOException e) {
      // Reading a byte array does no I/O; Jackson only declares it.
      throw new IllegalStateException(e);
    }
    if (value == null) {
      throw new ApiException(400, "bad_request", "the request body is null: expected " + expected);
    }
    return value;
  }

  /** Reads {@code type} from a body. */
  public static <T> T read(ByteString body, Class<T> type) {
    return read(body, MAPPER.constructType(type), "body");
  }

  /** Reads {@code type} from JSON that arrived another way than an HTTP body (MCP tool arguments); errors as for a body. */
  public static <T> T read(JsonNode json, Class<T> type) {
    return read(ByteString.fromArray(bytes(json)), type);
  }

  private static ApiException mismatch(MismatchedInputException e, String root, String expected) {
    StringBuilder field = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        field.append(field.isEmpty() ? "" : ".").append(ref.getFieldName());
      } else {
        field.append(field.isEmpty() ? root : "").append('[').append(ref.getIndex()).append(']');
      }
    }
    if (field.isEmpty()) {
      // No path: the whole body has the wrong shape, or there is something after the JSON value.
      String problem = e.getOriginalMessage().startsWith("Trailing token")
          ? "has content after the JSON value" : "must be " + expected;
      return new ApiException(400, "bad_request", "the request body " + problem + location(e.getLocation()));
    }
    String got = e instanceof InvalidFormatException f ? " (got " + quoted(f.getValue()) + ")" : got(e);
    Class<?> target = e.getTargetType();
    return ApiException.badRequest(field.toString(),
        "must be " + (target == null ? "of another type" : describe(target)) + got);
  }

  /**
   * The scalar a refused coercion was for, as Jackson quotes it in its message ({@code "5"}), or
   * nothing for another mismatch. Jackson reports most refusals as an
   * {@link InvalidFormatException} with the value, but a string for a number or a boolean only
   * in the message.
   */
  private static String got(MismatchedInputException e) {
    Matcher m = COERCED_STRING.matcher(String.valueOf(e.getOriginalMessage()));
    return m.lookingAt() ? " (got " + m.group(1) + ")" : "";
  }

  private static String quoted(Object value) {
    return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
  }

  private static String location(JsonLocation at) {
    return at == null || at.getLineNr() < 0 ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
  }

  /** A JSON-flavoured name of a Java type, for messages. */
  private static String describe(Class<?> type) {
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "an integer";
    }
    if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
      return "a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a string";
    }
    if (Collection.class.isAssignableFrom(type) || type.isArray()) {
      return "a JSON array";
    }
    return Map.class.isAssignableFrom(type) || type.isRecord() ? "a JSON object" : "a " + type.getSimpleName();
  }
}
