package io.leann.coordinator.rag;

import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * Answers without a language model: quotes the most relevant sentences of the best retrieved
 * passages, each with its source, and says plainly, first, that no language model was used and
 * why. It is what {@code leann ask} falls back to when no provider is configured or reachable, so
 * a fresh install still answers from the user's documents, and it is the only provider that needs
 * no network.
 *
 * <p>Up to {@value #PASSAGES} passages are quoted, in search order: the best one always, the
 * others only if they share a word with the question. Within each, sentences are ranked by how
 * many distinct words of the question they contain and the best {@value #SENTENCES} are quoted in
 * their original order; a best passage sharing no word with the question (found by meaning) is
 * quoted from its start.
 *
 * <p>It reads the request's {@link LlmRequest.Grounding}, not its prompt, and so cannot serve
 * requests without one (the ReAct agent's): those fail with a message asking for a real model.
 */
final class ExtractiveChatModel implements ChatModel {
  static final String NAME = "extractive";
  static final int PASSAGES = 3;
  static final int SENTENCES = 2;
  private static final int MAX_EXCERPT = 400;
  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]{3,}");
  private static final Set<String> STOP_WORDS = Set.of("the", "and", "for", "are", "but", "not", "you", "all",
      "any", "can", "had", "her", "was", "one", "our", "out", "has", "him", "his", "how", "its", "who", "what",
      "when", "where", "which", "why", "with", "this", "that", "from", "they", "them", "then", "than", "there",
      "their", "have", "does", "did", "into", "about", "would", "could", "should", "will", "your", "more");

  private final String reason;

  /** @param reason why no language model is used, e.g. "none is configured or reachable: ..." */
  ExtractiveChatModel(String reason) {
    this.reason = reason;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public CompletableFuture<String> stream(LlmRequest request, Consumer<String> onToken) {
    if (request.grounding() == null) {
      return CompletableFuture.failedFuture(new LlmException(LlmException.Kind.NOT_CONFIGURED,
          "no language model is available (" + reason + "), and this needs one: the extractive fallback can only"
              + " quote passages retrieved for a question; set up Ollama or an API key and pass --llm"));
    }
    String answer = answer(request.grounding());
    // Line by line, so terminals and SSE clients see the same incremental shape as from a model.
    for (String line : answer.split("(?<=\n)")) {
      onToken.accept(line);
    }
    return CompletableFuture.completedFuture(answer);
  }

  String answer(LlmRequest.Grounding grounding) {
    StringBuilder out = new StringBuilder("No language model was used to answer this (" + reason + ").");
    List<Passage> passages = grounding.passages();
    if (passages.isEmpty()) {
      return out.append(" The search found no passages for this question.\n").toString();
    }
    out.append(" These are the passages that best match your question, with their sources:\n");
    Set<String> terms = terms(grounding.question());
    Set<String> seen = new HashSet<>();
    int n = 0;
    for (Passage p : passages) {
      if (n == PASSAGES) {
        break;
      }
      // The best passage is quoted whatever its words, the search found it relevant by meaning;
      // the others only when they share a word with the question, so unrelated ones add no noise.
      if (n > 0 && Collections.disjoint(terms(p.text()), terms)) {
        continue;
      }
      String excerpt = excerpt(p.text(), terms);
      if (excerpt.isEmpty() || !seen.add(excerpt)) {
        continue;
      }
      n++;
      out.append("\n[").append(n).append("] ").append(p.label()).append('\n').append(excerpt).append('\n');
    }
    return out.toString();
  }

  /** The best sentences of {@code text} for {@code terms}, in text order, at most {@value #MAX_EXCERPT} chars. */
  static String excerpt(String text, Set<String> terms) {
    List<String> sentences = sentences(text);
    record Scored(int index, int score) {}
    List<Scored> scored = new ArrayList<>();
    for (int i = 0; i < sentences.size(); i++) {
      int score = 0;
      for (String t : terms(sentences.get(i))) {
        score += terms.contains(t) ? 1 : 0;
      }
      scored.add(new Scored(i, score));
    }
    List<Integer> chosen = scored.stream().filter(s -> s.score() > 0)
        .sorted(Comparator.comparingInt(Scored::score).reversed().thenComparingInt(Scored::index))
        .limit(SENTENCES).map(Scored::index).sorted().toList();
    if (chosen.isEmpty()) {
      chosen = IntStream.range(0, Math.min(SENTENCES, sentences.size())).boxed().toList();
    }
    StringBuilder excerpt = new StringBuilder();
    int previous = -2;
    for (int i : chosen) {
      if (!excerpt.isEmpty()) {
        excerpt.append(i == previous + 1 ? " " : " ... ");
      }
      excerpt.append(sentences.get(i));
      previous = i;
    }
    return shorten(excerpt.toString());
  }

  /** Lower-cased words of 3+ letters or digits, without the most common English function words. */
  static Set<String> terms(String text) {
    Set<String> terms = new HashSet<>();
    Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
    while (m.find()) {
      if (!STOP_WORDS.contains(m.group())) {
        terms.add(m.group());
      }
    }
    return terms;
  }

  private static List<String> sentences(String text) {
    String flat = text.replaceAll("\\s+", " ").strip();
    BreakIterator it = BreakIterator.getSentenceInstance(Locale.ROOT);
    it.setText(flat);
    List<String> out = new ArrayList<>();
    for (int start = it.first(), end = it.next(); end != BreakIterator.DONE; start = end, end = it.next()) {
      String s = flat.substring(start, end).strip();
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    return out;
  }

  private static String shorten(String text) {
    if (text.length() <= MAX_EXCERPT) {
      return text;
    }
    int cut = text.lastIndexOf(' ', MAX_EXCERPT);
    return text.substring(0, cut > MAX_EXCERPT / 2 ? cut : MAX_EXCERPT) + " ...";
  }
}
