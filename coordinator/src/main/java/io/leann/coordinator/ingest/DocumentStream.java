package io.leann.coordinator.ingest;

import io.leann.coordinator.ingest.gitignore.IgnoreMatcher;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A lazy, depth-first walk over the inputs of a {@link DocumentLoader}, producing one
 * {@link Document} per loaded file. Only one file's content is in memory at a time (plus the
 * directory listings on the current path and the set of paths already produced, used to
 * de-duplicate overlapping inputs).
 *
 * <p>Order: inputs in sorted order; inside a directory, entries sorted by name (UTF-16 order,
 * independent of the file system's listing order), each subdirectory walked where it sorts.
 *
 * <p>Rules for directory walks, checked in this order per entry:
 * <ol>
 *   <li>symbolic links to directories and special files are skipped ({@code skippedNotRegular});
 *       links to regular files are read;
 *   <li>names starting with {@code .} are skipped unless {@code includeHidden}; {@code .git} always;
 *   <li>paths excluded by {@code .gitignore} rules are skipped when {@code respectGitignore}
 *       (see {@link IgnoreScope}); an ignored directory is never entered, so, as in git, nothing
 *       below it can be re-included;
 *   <li>files whose name the filter rejects are skipped ({@code skippedFilteredOut}); the default
 *       filter rejects none;
 *   <li>files above the size limit are skipped; files read as text (all but PDF, Office, EPUB)
 *       whose first {@value TextDecoder#SNIFF_BYTES} bytes look binary are skipped without reading
 *       the rest, the others after reading ({@code skippedBinary}).
 * </ol>
 * A file named directly as an input skips rules 2-4: the user asked for it.
 *
 * <p>{@link Document#relativePath()} is relative to {@code root}, the deepest directory holding
 * every input, so it does not depend on which input reached a file, and files named one by one
 * keep the directories that tell them apart ({@code bash/copyright}, {@code zsh/copyright}).
 *
 * <p>Nothing here throws for a bad file: unreadable files and directories, broken links and
 * unparsable PDFs become {@link LoadFailure}s in {@link #report()}.
 *
 * <p>Not thread-safe: iterate from one thread.
 */
public final class DocumentStream implements Iterator<Document> {

  private final LoaderOptions options;
  private final Path root;
  private final Deque<Path> inputs;
  private final Deque<DirFrame> stack = new ArrayDeque<>();
  private final Set<Path> produced = new HashSet<>();
  private final MessageDigest sha256;
  private Document lookahead;

  private int loaded;
  private long bytesLoaded;
  private int skippedHidden;
  private int skippedIgnored;
  private int skippedFilteredOut;
  private int skippedBinary;
  private int skippedTooLarge;
  private int skippedNotRegular;
  private final List<LoadFailure> failures = new ArrayList<>();

  /** A directory being walked: its sorted entries and the rules in force inside it. */
  private static final class DirFrame {
    final Path dir;
    final String relativeDir;
    final String ignoreDir;
    final IgnoreMatcher matcher;
    final List<String> names;
    int next;

    DirFrame(Path dir, String relativeDir, String ignoreDir, IgnoreMatcher matcher, List<String> names) {
      this.dir = dir;
      this.relativeDir = relativeDir;
      this.ignoreDir = ignoreDir;
      this.matcher = matcher;
      this.names = names;
    }
  }

  /**
   * @param root   what relative paths are relative to: a directory holding every input
   * @param inputs absolute, normalised inputs in walk order
   */
  DocumentStream(LoaderOptions options, Path root, List<Path> inputs) {
    this.options = options;
    this.root = root;
    this.inputs = new ArrayDeque<>(inputs);
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
  }

  @Override
  public boolean hasNext() {
    if (lookahead == null) {
      lookahead = advance();
    }
    return lookahead != null;
  }

  @Override
  public Document next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Document d = lookahead;
    lookahead = null;
    return d;
  }

  /** The remaining documents as a sequential, ordered stream backed by this iterator. */
  public Stream<Document> stream() {
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL), false);
  }

  /** What has been loaded, skipped and failed so far; complete once {@link #hasNext()} is false. */
  public LoadReport report() {
    return new LoadReport(loaded, bytesLoaded, skippedHidden, skippedIgnored, skippedFilteredOut,
        skippedBinary, skippedTooLarge, skippedNotRegular, failures);
  }

  private Document advance() {
    while (true) {
      DirFrame frame = stack.peek();
      if (frame != null) {
        if (frame.next >= frame.names.size()) {
          stack.pop();
          continue;
        }
        String name = frame.names.get(frame.next++);
        Document d = visitEntry(frame, name);
        if (d != null) {
          return d;
        }
        continue;
      }
      Path input = inputs.poll();
      if (input == null) {
        return null;
      }
      Document d = visitInput(input);
      if (d != null) {
        return d;
      }
    }
  }

  private Document visitInput(Path input) {
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(input, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      failures.add(new LoadFailure(input, "no such file or directory"));
      return null;
    } catch (IOException e) {
      failures.add(new LoadFailure(input, "cannot read attributes: " + e.getMessage()));
      return null;
    }
    if (attrs.isDirectory()) {
      IgnoreScope scope = options.respectGitignore()
          ? IgnoreScope.forWalkRoot(input, failures::add)
          : new IgnoreScope("", IgnoreMatcher.none());
      enterDirectory(input, IgnoreScope.relative(root, input), scope.prefix(), scope.matcher());
      return null;
    }
    if (!attrs.isRegularFile()) {
      skippedNotRegular++;
      return null;
    }
    return loadFile(input, IgnoreScope.relative(root, input), attrs);
  }

  private Document visitEntry(DirFrame frame, String name) {
    Path path = frame.dir.resolve(name);
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (attrs.isSymbolicLink()) {
        attrs = Files.readAttributes(path, BasicFileAttributes.class);
        if (attrs.isDirectory()) {
          skippedNotRegular++;
          return null;
        }
      }
    } catch (NoSuchFileException e) {
      failures.add(new LoadFailure(path, "broken symbolic link or vanished file"));
      return null;
    } catch (IOException e) {
      failures.add(new LoadFailure(path, "cannot read attributes: " + e.getMessage()));
      return null;
    }
    boolean isDirectory = attrs.isDirectory();
    if (!isDirectory && !attrs.isRegularFile()) {
      skippedNotRegular++;
      return null;
    }
    if (name.startsWith(".") && (!options.includeHidden() || name.equals(".git"))) {
      skippedHidden++;
      return null;
    }
    String ignorePath = IgnoreScope.child(frame.ignoreDir, name);
    if (frame.matcher.isIgnored(ignorePath, isDirectory)) {
      skippedIgnored++;
      return null;
    }
    String relative = IgnoreScope.child(frame.relativeDir, name);
    if (isDirectory) {
      enterDirectory(path, relative, ignorePath, frame.matcher);
      return null;
    }
    if (!options.fileTypes().accepts(name)) {
      skippedFilteredOut++;
      return null;
    }
    return loadFile(path, relative, attrs);
  }

  private void enterDirectory(Path dir, String relativeDir, String ignoreDir, IgnoreMatcher inherited) {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        names.add(entry.getFileName().toString());
      }
    } catch (IOException e) {
      failures.add(new LoadFailure(dir, "cannot list directory: " + e.getMessage()));
      return;
    }
    names.sort(null);
    IgnoreMatcher matcher = inherited;
    if (options.respectGitignore()) {
      matcher = IgnoreScope.withFile(inherited, dir.resolve(IgnoreScope.GITIGNORE), ignoreDir, failures::add);
    }
    stack.push(new DirFrame(dir, relativeDir, ignoreDir, matcher, names));
  }

  private Document loadFile(Path path, String relativePath, BasicFileAttributes attrs) {
    if (!produced.add(path)) {
      return null;
    }
    if (attrs.size() > options.maxFileBytes()) {
      skippedTooLarge++;
      return null;
    }
    FileType type = FileType.of(path.getFileName().toString());
    byte[] bytes;
    try {
      if (isReadAsText(type.format()) && attrs.size() > TextDecoder.SNIFF_BYTES
          && TextDecoder.looksBinary(readHead(path))) {
        skippedBinary++;
        return null;
      }
      bytes = Files.readAllBytes(path);
    } catch (IOException e) {
      failures.add(new LoadFailure(path, "cannot read file: " + e.getMessage()));
      return null;
    }
    Extracted extracted;
    try {
      Optional<Extracted> text = extract(type, bytes);
      if (text.isEmpty()) {
        skippedBinary++;
        return null;
      }
      extracted = text.get();
    } catch (ExtractionException e) {
      failures.add(new LoadFailure(path, e.getMessage()));
      return null;
    } catch (RuntimeException e) {
      // PDFBox, POI and jsoup parse untrusted input; a parser bug on one odd file must not end the build.
      failures.add(new LoadFailure(path, "could not extract text: " + e));
      return null;
    }
    loaded++;
    bytesLoaded += bytes.length;
    return new Document(path, relativePath, extracted.text(), type, attrs.lastModifiedTime().toInstant(),
        bytes.length, HexFormat.of().formatHex(sha256.digest(bytes)), extracted.title(), extracted.pageStarts());
  }

  private static byte[] readHead(Path path) throws IOException {
    try (InputStream in = Files.newInputStream(path)) {
      return in.readNBytes(TextDecoder.SNIFF_BYTES);
    }
  }

  /** Whether files of this format are text, as opposed to binary containers such as PDF. */
  private static boolean isReadAsText(DocumentFormat format) {
    return switch (format) {
      case TEXT, MARKDOWN, CODE, CONFIG, HTML -> true;
      case PDF, OFFICE, EPUB -> false;
    };
  }

  /** The extracted text, or empty when the file is binary. */
  private static Optional<Extracted> extract(FileType type, byte[] bytes) throws ExtractionException {
    return switch (type.format()) {
      case PDF -> Optional.of(PdfExtractor.extract(bytes));
      case OFFICE -> Optional.of(OfficeExtractor.extract(type, bytes));
      case EPUB -> Optional.of(EpubExtractor.extract(bytes));
      case HTML -> TextDecoder.isBinary(bytes, 0) ? Optional.empty() : Optional.of(HtmlExtractor.extract(bytes));
      case TEXT, MARKDOWN, CODE, CONFIG -> TextDecoder.decode(bytes).map(Extracted::plain);
    };
  }
}
