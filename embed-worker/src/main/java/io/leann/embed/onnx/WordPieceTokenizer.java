package io.leann.embed.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * BERT WordPiece tokenizer: {@link BasicTokenizer} words, each split by greedy longest match
 * against the vocabulary ({@code ##} marks a piece that continues a word; a word with no complete
 * split, or longer than {@code max_input_chars_per_word}, becomes {@code [UNK]}), wrapped in
 * {@code [CLS]} ... {@code [SEP]} and truncated on the right so that the whole sequence fits the
 * model's {@code maxSequenceLength}.
 *
 * <p>The vocabulary and the options (lowercasing, unknown token, continuation prefix, word length
 * limit) are read from a Hugging Face {@code tokenizer.json} with a {@code WordPiece} model.
 *
 * <p>Immutable and thread-safe.
 */
public final class WordPieceTokenizer {

  private final Map<String, Integer> vocab;
  private final String[] tokens;
  private final BasicTokenizer basic;
  private final String continuationPrefix;
  private final int maxCharsPerWord;
  private final int longestPiece;
  private final int unkId;
  private final int clsId;
  private final int sepId;
  private final int maxSequenceLength;

  private WordPieceTokenizer(
      Map<String, Integer> vocab,
      boolean uncased,
      String unkToken,
      String continuationPrefix,
      int maxCharsPerWord,
      int maxSequenceLength) {
    if (maxSequenceLength < 3) {
      throw new IllegalArgumentException(
          "maxSequenceLength must leave room for [CLS], [SEP] and one token: " + maxSequenceLength);
    }
    this.vocab = Map.copyOf(vocab);
    this.basic = new BasicTokenizer(uncased);
    this.continuationPrefix = continuationPrefix;
    this.maxCharsPerWord = maxCharsPerWord;
    this.maxSequenceLength = maxSequenceLength;
    int size = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
    this.tokens = new String[size];
    int longest = 0;
    for (Map.Entry<String, Integer> e : vocab.entrySet()) {
      tokens[e.getValue()] = e.getKey();
      longest = Math.max(longest, e.getKey().codePointCount(0, e.getKey().length()));
    }
    this.longestPiece = longest;
    this.unkId = requireId(unkToken);
    this.clsId = requireId("[CLS]");
    this.sepId = requireId("[SEP]");
  }

  /**
   * Reads a Hugging Face {@code tokenizer.json} whose model is WordPiece.
   *
   * @param maxSequenceLength longest sequence produced, {@code [CLS]} and {@code [SEP]} included
   * @throws IOException if the stream cannot be read or is not a WordPiece tokenizer.json
   */
  public static WordPieceTokenizer fromTokenizerJson(InputStream json, int maxSequenceLength)
      throws IOException {
    JsonNode root = new ObjectMapper().readTree(json);
    JsonNode model = root.path("model");
    if (!"WordPiece".equals(model.path("type").asText()) || !model.path("vocab").isObject()) {
      throw new IOException("not a WordPiece tokenizer.json: model.type = " + model.path("type"));
    }
    Map<String, Integer> vocab = new HashMap<>();
    for (Map.Entry<String, JsonNode> e : model.path("vocab").properties()) {
      vocab.put(e.getKey(), e.getValue().asInt());
    }
    return new WordPieceTokenizer(
        vocab,
        root.path("normalizer").path("lowercase").asBoolean(true),
        model.path("unk_token").asText("[UNK]"),
        model.path("continuing_subword_prefix").asText("##"),
        model.path("max_input_chars_per_word").asInt(100),
        maxSequenceLength);
  }

  /**
   * The word pieces of {@code text}, without special tokens and without truncation: what the
   * model sees, for inspection and token counting.
   */
  public List<String> tokenize(String text) {
    List<String> pieces = new ArrayList<>();
    for (String word : basic.split(text)) {
      appendPieces(word, id -> pieces.add(tokens[id]));
    }
    return pieces;
  }

  /**
   * The model input ids of {@code text}: {@code [CLS]}, at most {@code maxSequenceLength - 2}
   * word-piece ids (the rest of a longer text is dropped), {@code [SEP]}.
   */
  public int[] encode(String text) {
    int limit = maxSequenceLength - 2;
    IntList ids = new IntList(Math.min(maxSequenceLength, text.length() + 2));
    ids.add(clsId);
    for (String word : basic.split(text)) {
      appendPieces(word, ids::add);
      if (ids.size() > limit) {
        break;
      }
    }
    ids.truncate(limit + 1);
    ids.add(sepId);
    return ids.toArray();
  }

  /** The id of {@code token}, or -1 if the vocabulary has no such token. */
  public int tokenId(String token) {
    return vocab.getOrDefault(token, -1);
  }

  public int maxSequenceLength() {
    return maxSequenceLength;
  }

  private void appendPieces(String word, IntConsumer out) {
    int[] cps = word.codePoints().toArray();
    if (cps.length > maxCharsPerWord) {
      out.accept(unkId);
      return;
    }
    int[] pieces = new int[cps.length];
    int count = 0;
    int start = 0;
    while (start < cps.length) {
      int end = Math.min(cps.length, start + longestPiece);
      int id = -1;
      while (end > start) {
        String piece = new String(cps, start, end - start);
        id = vocab.getOrDefault(start > 0 ? continuationPrefix + piece : piece, -1);
        if (id >= 0) {
          break;
        }
        end--;
      }
      if (id < 0) {
        out.accept(unkId);
        return;
      }
      pieces[count++] = id;
      start = end;
    }
    for (int i = 0; i < count; i++) {
      out.accept(pieces[i]);
    }
  }

  private int requireId(String token) {
    Integer id = vocab.get(token);
    if (id == null) {
      throw new IllegalArgumentException("vocabulary has no " + token + " token");
    }
    return id;
  }

  /** A growable int array, so encoding does not box every id. */
  private static final class IntList {
    private int[] values;
    private int size;

    IntList(int capacity) {
      values = new int[Math.max(4, capacity)];
    }

    void add(int value) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = value;
    }

    int size() {
      return size;
    }

    void truncate(int length) {
      size = Math.min(size, length);
    }

    int[] toArray() {
      return Arrays.copyOf(values, size);
    }
  }
}
