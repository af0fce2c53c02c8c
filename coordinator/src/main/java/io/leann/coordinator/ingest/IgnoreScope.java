package io.leann.coordinator.ingest;

import io.leann.coordinator.ingest.gitignore.Gitignore;
import io.leann.coordinator.ingest.gitignore.IgnoreMatcher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The ignore rules in force at the root of a directory walk, as git would apply them.
 *
 * <p>When the walked directory lies inside a git work tree (an ancestor, or itself, holds a
 * {@code .git} entry), patterns are relative to that repository's root, and the rules of
 * {@code .git/info/exclude} and of every {@code .gitignore} from the repository root down to the
 * walked directory's parent apply; the walk adds the walked directory's own {@code .gitignore} and
 * those below it as it descends. Outside a repository the walked directory plays the root. A global
 * {@code core.excludesFile} is not read: it is per-user taste, not part of the corpus.
 *
 * @param prefix  the walked directory relative to the ignore root, {@code /}-separated, {@code ""}
 *                when it is the root
 * @param matcher rules from above the walked directory
 */
record IgnoreScope(String prefix, IgnoreMatcher matcher) {

  /** The name of the per-directory ignore file. */
  static final String GITIGNORE = ".gitignore";

  /** Rules for walking {@code walkRoot} (absolute, normalised); unreadable ignore files are reported and skipped. */
  static IgnoreScope forWalkRoot(Path walkRoot, Consumer<LoadFailure> onFailure) {
    Path repoRoot = null;
    for (Path dir = walkRoot; dir != null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve(".git"))) {
        repoRoot = dir;
        break;
      }
    }
    if (repoRoot == null) {
      return new IgnoreScope("", IgnoreMatcher.none());
    }
    IgnoreMatcher matcher = IgnoreMatcher.none();
    Path exclude = repoRoot.resolve(".git").resolve("info").resolve("exclude");
    if (Files.isRegularFile(exclude)) {
      matcher = withFile(matcher, exclude, "", onFailure);
    }
    List<Path> ancestors = new ArrayList<>();
    for (Path dir = walkRoot.getParent(); dir != null && dir.startsWith(repoRoot); dir = dir.getParent()) {
      ancestors.addFirst(dir);
    }
    for (Path dir : ancestors) {
      matcher = withFile(matcher, dir.resolve(GITIGNORE), relative(repoRoot, dir), onFailure);
    }
    return new IgnoreScope(relative(repoRoot, walkRoot), matcher);
  }

  /** {@code matcher} plus the rules of {@code file} if it exists; a read error is reported and the file skipped. */
  static IgnoreMatcher withFile(IgnoreMatcher matcher, Path file, String baseDir, Consumer<LoadFailure> onFailure) {
    if (!Files.isRegularFile(file)) {
      return matcher;
    }
    try {
      return matcher.with(Gitignore.parse(baseDir, Files.readString(file, StandardCharsets.UTF_8)));
    } catch (IOException e) {
      // An unreadable ignore file (permissions, bad encoding) must not stop the walk; its rules are lost, and said so.
      onFailure.accept(new LoadFailure(file, "could not read ignore file: " + e.getMessage()));
      return matcher;
    }
  }

  /** The ignore-root-relative path of a child named {@code name} of directory {@code dir}. */
  static String child(String dir, String name) {
    return dir.isEmpty() ? name : dir + "/" + name;
  }

  /** {@code path} relative to {@code root}, {@code /}-separated; {@code ""} for {@code root} itself. */
  static String relative(Path root, Path path) {
    return root.relativize(path).toString().replace(path.getFileSystem().getSeparator(), "/");
  }
}
