package io.leann.coordinator.index;

import io.leann.shard.index.IndexDirectory;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * File names of one index directory. The meta file sits at the top with LEANN's name,
 * {@code <root>/<name>/documents.leann.meta.json}; everything else of one build lives in a
 * generation directory {@code gen-N/} under LEANN's file names ({@code documents.leann.passages.jsonl},
 * {@code .idx}, {@code documents.index} or {@code documents.shard-K.index}, {@code .ids.txt}).
 *
 * <p>Why generations: the meta file names the files of its generation, and replacing the meta file
 * atomically is the single commit point of a build. A build killed at any moment leaves the
 * previous meta and the previous generation intact, so the index stays loadable; the next build
 * removes the orphaned generation. {@link IndexDirectory} owns the generations, the writer lock and
 * the commit. Index names are checked so a name never escapes the root.
 */
public record IndexLayout(Path dir) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  public static final String META = IndexDirectory.META;
  public static final String PASSAGES = "documents.leann.passages.jsonl";
  public static final String PASSAGE_INDEX = "documents.leann.passages.idx";
  public static final String PASSAGE_IDS = "documents.leann.passages.ids.txt";
  public static final String MANIFEST = "manifest.json";
  public static final String EMBEDDING_CACHE = "embeddings.f32";
  /** The Lucene keyword index of a generation (a directory): {@code io.leann.shard.text.KeywordIndex}. */
  public static final String KEYWORDS = "documents.leann.keywords";

  /** The layout of index {@code name} under {@code root}. */
  public static IndexLayout of(Path root, String name) {
    return new IndexLayout(root.resolve(checkName(name)).toAbsolutePath().normalize());
  }

  /**
   * Validates an index name: letters, digits, '.', '_' and '-', starting with a letter or digit.
   *
   * @throws IllegalArgumentException naming the rule that was broken
   */
  public static String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches() || name.contains("..")) {
      throw new IllegalArgumentException("invalid index name '" + name
          + "': use letters, digits, '.', '_' and '-' (at most 128, starting with a letter or digit)");
    }
    return name;
  }

  public String name() {
    return dir.getFileName().toString();
  }

  public Path meta() {
    return dir.resolve(META);
  }

  /** Generation directory name, relative to the index directory. */
  public static String generation(int gen) {
    return IndexDirectory.generationName(gen);
  }

  /** {@code gen-N/<file>}, the form stored in the meta file. */
  public static String inGeneration(int gen, String file) {
    return generation(gen) + "/" + file;
  }

  /** Graph file name of shard {@code k} of {@code shards}: LEANN's {@code documents.index} when unsharded. */
  public static String graphName(int k, int shards) {
    return shards == 1 ? "documents.index" : "documents.shard-" + k + ".index";
  }

  /** Node-to-passage-id file name of shard {@code k} of {@code shards}. */
  public static String idsName(int k, int shards) {
    return shards == 1 ? "documents.ids.txt" : "documents.shard-" + k + ".ids.txt";
  }

  /**
   * Resolves a path stored in the meta file against the index directory.
   *
   * @throws IllegalArgumentException if the path would leave the index directory
   */
  public Path resolve(String relative) {
    Path p = dir.resolve(relative).normalize();
    if (!p.startsWith(dir)) {
      throw new IllegalArgumentException("path '" + relative + "' in " + meta() + " leaves the index directory");
    }
    return p;
  }
}
