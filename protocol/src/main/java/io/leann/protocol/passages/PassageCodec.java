package io.leann.protocol.passages;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/**
 * The JSON form of one passage line: {@code {"id":"...","text":"...","metadata":{...}}}, UTF-8,
 * non-ASCII written raw (as the Python LEANN's {@code ensure_ascii=False} does), no line break
 * inside a record. Unknown fields are ignored on read so newer writers stay readable.
 *
 * <p>Stateless and thread-safe: Jackson's mapper, reader and factory are immutable after setup.
 */
final class PassageCodec {

    private static final String ID = "id";
    private static final String TEXT = "text";
    private static final String METADATA = "metadata";

    /** Jackson caps strings at 20 M chars by default; a passage line is bounded by the store instead. */
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
            // Without this Jackson escapes characters outside the BMP (emoji) as a pair of surrogate escapes.
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();

    private static final ObjectMapper MAPPER = JsonMapper.builder(FACTORY).build();

    private static final ObjectReader RECORD_READER = MAPPER.readerFor(Map.class)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private PassageCodec() {}

    /**
     * Writes {@code passage} as one JSON line including the terminating {@code '\n'}. An unpaired
     * surrogate is written as a JSON unicode escape, so even such text round-trips.
     *
     * @throws IllegalArgumentException if the metadata holds an object Jackson cannot serialise
     */
    static void encode(Passage passage, OutputStream out) throws IOException {
        try (JsonGenerator g = MAPPER.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField(ID, passage.id());
            g.writeStringField(TEXT, passage.text());
            g.writeFieldName(METADATA);
            g.writeObject(passage.metadata());
            g.writeEndObject();
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "passage \"" + passage.id() + "\" cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
        out.write('\n');
    }

    /**
     * Parses one record; {@code len} may include trailing whitespace and line breaks.
     *
     * @throws IOException describing the syntax or shape problem, without naming a file or row
     */
    @SuppressWarnings("unchecked")
    static Passage decode(byte[] line, int off, int len) throws IOException {
        Map<String, Object> record = RECORD_READER.readValue(line, off, len);
        if (record == null) {
            throw new IOException("record is JSON null, not an object");
        }
        Object metadata = record.get(METADATA);
        if (metadata != null && !(metadata instanceof Map)) {
            throw new IOException("\"metadata\" is not a JSON object");
        }
        return new Passage(requireString(record.get(ID), ID), requireString(record.get(TEXT), TEXT),
                (Map<String, Object>) metadata);
    }

    /** Reads only the id, skipping the text without decoding it: building an id table touches every row. */
    static String decodeId(byte[] line, int off, int len) throws IOException {
        try (JsonParser p = FACTORY.createParser(line, off, len)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("record is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (ID.equals(name)) {
                    return requireString(value == JsonToken.VALUE_STRING ? p.getText() : null, ID);
                }
                p.skipChildren();
            }
            throw new IOException("\"id\" is missing");
        }
    }

    private static String requireString(Object value, String field) throws IOException {
        if (value instanceof String s) {
            return s;
        }
        throw new IOException("\"" + field + "\" is missing or not a string");
    }

    /** The message of a decode failure; Jackson's own location text names no file, so only the column is kept. */
    static String describe(IOException e) {
        if (e instanceof JsonProcessingException j) {
            String where = j.getLocation() == null ? "" : " (column " + j.getLocation().getColumnNr() + ")";
            return "malformed JSON: " + j.getOriginalMessage() + where;
        }
        return e.getMessage();
    }
}
