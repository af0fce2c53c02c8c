package io.leann.coordinator.ingest.gitignore;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Precedence across nested .gitignore files and exclusion through parent directories. */
class IgnoreMatcherTest {

  private static final IgnoreMatcher NESTED = IgnoreMatcher.none()
      .with(Gitignore.parse("", "*.txt\n!important.txt\nbuild/\n"))
      .with(Gitignore.parse("sub", "important.txt\n!notes.txt\n/local.md\n"));

  @Test
  void deeperFileOverridesShallowerOne() {
    assertTrue(NESTED.isIgnored("a.txt", false));
    assertFalse(NESTED.isIgnored("important.txt", false));
    assertTrue(NESTED.isIgnored("sub/important.txt", false), "sub re-ignores what the root re-included");
    assertTrue(NESTED.isIgnored("sub/other.txt", false), "root rule still applies below sub");
    assertFalse(NESTED.isIgnored("sub/notes.txt", false), "sub re-includes what the root ignored");
  }

  @Test
  void nestedRulesApplyOnlyToTheirSubtree() {
    assertFalse(NESTED.isIgnored("notes-elsewhere/local.md", false));
    assertFalse(NESTED.isIgnored("local.md", false));
    assertTrue(NESTED.isIgnored("sub/local.md", false), "leading slash anchors to sub/");
    assertFalse(NESTED.isIgnored("sub/deeper/local.md", false));
    assertFalse(NESTED.isIgnored("subway/important.txt", false), "sub/ is not a prefix of subway/");
  }

  @Test
  void fileCannotBeReincludedBelowAnExcludedDirectory() {
    IgnoreMatcher m = IgnoreMatcher.none().with(Gitignore.parse("", "build/\n!build/keep.txt\n"));
    assertFalse(m.isIgnored("build/keep.txt", false), "the file alone is re-included");
    assertTrue(m.isExcluded("build/keep.txt", false), "but its directory is excluded");
    assertTrue(m.isExcluded("x/build/y/z.md", false));
    assertFalse(m.isExcluded("builds/z.md", false));
  }

  @Test
  void emptyMatcherIgnoresNothing() {
    assertFalse(IgnoreMatcher.none().isExcluded("a/b/c.txt", false));
    assertFalse(IgnoreMatcher.none().with(Gitignore.parse("", "# only a comment\n\n")).isIgnored("x", false));
  }
}
