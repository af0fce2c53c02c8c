package io.leann.coordinator.ingest.gitignore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Gitignore semantics, one .gitignore at the root: pattern(s), path, is-directory, expected. */
class GitignorePatternTest {

  static Stream<Arguments> cases() {
    return Stream.of(
        // plain globs match the last component at any depth
        row("*.log", "a.log", false, true),
        row("*.log", "deep/dir/a.log", false, true),
        row("*.log", "a.log.txt", false, false),
        row("*.log", "a.LOG", false, false),
        row("*.log", "logs", true, false),
        // a leading slash anchors to the .gitignore's directory
        row("/build", "build", true, true),
        row("/build", "src/build", true, false),
        // a trailing slash matches directories only, at any depth
        row("build/", "build", true, true),
        row("build/", "build", false, false),
        row("build/", "src/build", true, true),
        // a middle slash anchors too
        row("doc/*.txt", "doc/a.txt", false, true),
        row("doc/*.txt", "doc/sub/a.txt", false, false),
        row("doc/*.txt", "x/doc/a.txt", false, false),
        row("foo/*", "foo/a", false, true),
        row("foo/*", "foo/a/b", false, false),
        // ** forms
        row("**/foo", "foo", false, true),
        row("**/foo", "a/b/foo", true, true),
        row("**/foo/bar", "foo/bar", false, true),
        row("**/foo/bar", "x/y/foo/bar", false, true),
        row("**/foo/bar", "foo/x/bar", false, false),
        row("abc/**", "abc/x", false, true),
        row("abc/**", "abc/x/y", false, true),
        row("abc/**", "abc", true, false),
        row("a/**/b", "a/b", false, true),
        row("a/**/b", "a/x/b", false, true),
        row("a/**/b", "a/x/y/b", false, true),
        row("a/**/b", "ab", false, false),
        row("doc/**/*.txt", "doc/a.txt", false, true),
        row("doc/**/*.txt", "doc/sub/deep/a.txt", false, true),
        row("**", "anything/at/all", false, true),
        row("x**y", "xaay", false, true),
        row("x**y", "xa/y", false, false),
        // ? and bracket expressions never match a slash
        row("?.txt", "a.txt", false, true),
        row("?.txt", "ab.txt", false, false),
        row("a?b", "a/b", false, false),
        row("[abc].md", "a.md", false, true),
        row("[abc].md", "d.md", false, false),
        row("[!abc].md", "d.md", false, true),
        row("[!abc].md", "a.md", false, false),
        row("[^abc].md", "a.md", false, false),
        row("[a-c]x", "bx", false, true),
        row("[a-c]x", "dx", false, false),
        row("[]]x", "]x", false, true),
        row("file[[:digit:]].txt", "file7.txt", false, true),
        row("file[[:digit:]].txt", "filex.txt", false, false),
        row("file[[:nosuch:]].txt", "file7.txt", false, false),
        row("a[b", "a[b", false, true),
        // comments, escapes and spaces
        row("#comment", "#comment", false, false),
        row("\\#notcomment", "#notcomment", false, true),
        row("\\!important", "!important", false, true),
        row("trail   ", "trail", false, true),
        row("space\\ ", "space ", false, true),
        row("star\\*", "star*", false, true),
        row("star\\*", "stars", false, false),
        row("dir\\", "dir", false, false),
        row("*.tmp\r", "a.tmp", false, true),
        row("/", "anything", false, false),
        row("", "anything", false, false),
        // last matching line wins; negation re-includes
        row("*.txt\n!keep.txt", "a.txt", false, true),
        row("*.txt\n!keep.txt", "keep.txt", false, false),
        row("!keep.txt\n*.txt", "keep.txt", false, true),
        row("/*\n!/src/", "src", true, false),
        row("/*\n!/src/", "docs", true, true),
        row("*\n!*/\n!*.md", "any/dir", true, false),
        row("*\n!*/\n!*.md", "any/dir/a.md", false, false),
        row("*\n!*/\n!*.md", "any/dir/a.txt", false, true));
  }

  private static Arguments row(String gitignore, String path, boolean dir, boolean ignored) {
    return Arguments.of(gitignore, path, dir, ignored);
  }

  @ParameterizedTest(name = "[{index}] {0} | {1} dir={2} -> {3}")
  @MethodSource("cases")
  void matchesLikeGit(String gitignore, String path, boolean dir, boolean ignored) {
    IgnoreMatcher matcher = IgnoreMatcher.none().with(Gitignore.parse("", gitignore));
    assertEquals(ignored, matcher.isIgnored(path, dir));
  }
}
