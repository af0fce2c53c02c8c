package io.leann.protocol.python;

import io.leann.protocol.index.IndexFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The files of an index written by the Python LEANN, located the way it locates them. For an
 * index path {@code P = <dir>/documents.leann} with stem {@code S = <dir>/documents}:
 * {@code P.meta.json}, the passage source it names ({@code P.passages.jsonl} and the pickled
 * {@code P.passages.idx} by default), the graph {@code S.index} and, in newer versions,
 * {@code S.ids.txt}.
 *
 * <p>Passage paths are resolved in LEANN's order: the meta's relative path next to the meta file,
 * the path as written (absolute, or relative to the working directory), then the
 * {@code P.passages.*} sibling files.
 *
 * @param indexPath {@code P}
 * @param metaFile {@code P.meta.json}
 * @param meta its content
 * @param passages the passage jsonl
 * @param offsets the pickled id-to-offset dict
 * @param graph the FAISS graph file
 * @param ids {@code S.ids.txt}, or null if the index has none (row i is passage id str(i))
 */
public record PythonLeannIndex(Path indexPath, Path metaFile, PythonLeannMeta meta, Path passages,
    Path offsets, Path graph, Path ids) {

  private static final String META_SUFFIX = ".meta.json";
  private static final String LEANN_SUFFIX = ".leann";

  /**
   * Locates the index named by {@code given}: the index path {@code P}, its meta file, or a
   * directory holding exactly one {@code *.leann.meta.json}.
   *
   * @param cwd the working directory LEANN would resolve relative passage paths against
   * @throws IndexFormatException if the meta is malformed or a file it needs cannot be found
   */
  public static PythonLeannIndex locate(Path given, Path cwd) throws IOException {
    Path metaFile = metaFile(given.toAbsolutePath().normalize());
    String metaName = metaFile.getFileName().toString();
    Path indexPath = metaFile.resolveSibling(metaName.substring(0, metaName.length() - META_SUFFIX.length()));
    String indexName = indexPath.getFileName().toString();
    Path stem = indexName.endsWith(LEANN_SUFFIX)
        ? indexPath.resolveSibling(indexName.substring(0, indexName.length() - LEANN_SUFFIX.length()))
        : indexPath;
    PythonLeannMeta meta = PythonLeannMeta.read(metaFile);
    PythonLeannMeta.Source source = meta.passageSources().get(0);
    Path passages = resolve(metaFile, cwd, "passage_sources[0].path", source.pathRelative(), source.path(),
        sibling(indexPath, ".passages.jsonl"));
    Path offsets = resolve(metaFile, cwd, "passage_sources[0].index_path", source.indexPathRelative(),
        source.indexPath(), sibling(indexPath, ".passages.idx"));
    Path graph = sibling(stem, ".index");
    if (!Files.isRegularFile(graph)) {
      throw new NoSuchFileException(graph.toString(), null, "the graph of " + indexPath
          + " is missing (the Python LEANN writes it as <stem>.index)");
    }
    Path ids = sibling(stem, ".ids.txt");
    return new PythonLeannIndex(indexPath, metaFile, meta, passages, offsets, graph,
        Files.isRegularFile(ids) ? ids : null);
  }

  /**
   * The index's name: the Python CLI keeps index {@code n} at {@code .leann/indexes/n/documents.leann},
   * so that directory's name; an app-style {@code notes.leann} is named by its stem.
   */
  public String name() {
    String file = indexPath.getFileName().toString();
    Path parent = indexPath.getParent();
    if (file.equals("documents" + LEANN_SUFFIX) && parent != null && parent.getFileName() != null) {
      return parent.getFileName().toString();
    }
    return file.endsWith(LEANN_SUFFIX) ? file.substring(0, file.length() - LEANN_SUFFIX.length()) : file;
  }

  private static Path metaFile(Path given) throws IOException {
    if (Files.isDirectory(given)) {
      List<Path> metas;
      try (Stream<Path> files = Files.list(given)) {
        metas = files.filter(p -> p.getFileName().toString().endsWith(LEANN_SUFFIX + META_SUFFIX))
            .sorted().toList();
      }
      if (metas.size() != 1) {
        throw new NoSuchFileException(given.toString(), null, metas.isEmpty()
            ? "holds no *.leann.meta.json: not a Python LEANN index directory"
            : "holds " + metas.size() + " LEANN indexes (" + metas + "): name the .leann path of one");
      }
      return metas.get(0);
    }
    Path meta = given.getFileName().toString().endsWith(META_SUFFIX) ? given : sibling(given, META_SUFFIX);
    if (!Files.isRegularFile(meta)) {
      throw new NoSuchFileException(meta.toString(), null,
          "no Python LEANN meta file (give the index path, e.g. .leann/indexes/<name>/documents.leann)");
    }
    return meta;
  }

  private static Path resolve(Path metaFile, Path cwd, String field, String relative, String written,
      Path fallback) throws IOException {
    Set<Path> tried = new LinkedHashSet<>();
    if (relative != null) {
      tried.add(metaFile.resolveSibling(relative).normalize());
    }
    if (written != null) {
      Path p = Path.of(written);
      if (p.isAbsolute()) {
        tried.add(p.normalize());
      } else {
        tried.add(metaFile.resolveSibling(p).normalize());
        tried.add(cwd.resolve(p).toAbsolutePath().normalize());
      }
    }
    tried.add(fallback);
    for (Path p : tried) {
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new IndexFormatException(metaFile, "field " + field + ": no such file at " + new ArrayList<>(tried));
  }

  private static Path sibling(Path path, String suffix) {
    return path.resolveSibling(path.getFileName() + suffix);
  }
}
