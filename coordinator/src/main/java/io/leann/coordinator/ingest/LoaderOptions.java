package io.leann.coordinator.ingest;

/**
 * What {@link DocumentLoader} loads. Defaults follow LEANN's {@code leann build}: default file
 * types, hidden files skipped, {@code .gitignore} honoured.
 *
 * @param fileTypes        extensions a directory walk accepts (explicit file inputs bypass it)
 * @param includeHidden    whether to load files and enter directories whose name starts with
 *                         {@code .} ({@code .git} is never entered)
 * @param respectGitignore whether {@code .gitignore} files (and {@code .git/info/exclude} of an
 *                         enclosing repository) exclude paths during a directory walk
 * @param maxFileBytes     files larger than this are skipped and counted, never read
 */
public record LoaderOptions(
    FileTypeFilter fileTypes, boolean includeHidden, boolean respectGitignore, long maxFileBytes) {

  /** 64 MiB: far above any text file worth embedding, low enough to keep a stray dump out of memory. */
  public static final long DEFAULT_MAX_FILE_BYTES = 64L << 20;

  public LoaderOptions {
    if (fileTypes == null) {
      throw new IllegalArgumentException("fileTypes must not be null");
    }
    if (maxFileBytes <= 0) {
      throw new IllegalArgumentException("maxFileBytes must be positive: " + maxFileBytes);
    }
  }

  /** LEANN's defaults. */
  public static LoaderOptions defaults() {
    return new LoaderOptions(FileTypeFilter.defaults(), false, true, DEFAULT_MAX_FILE_BYTES);
  }

  /** These options with another file-type filter. */
  public LoaderOptions withFileTypes(FileTypeFilter filter) {
    return new LoaderOptions(filter, includeHidden, respectGitignore, maxFileBytes);
  }

  /** These options with hidden files included or not. */
  public LoaderOptions withIncludeHidden(boolean include) {
    return new LoaderOptions(fileTypes, include, respectGitignore, maxFileBytes);
  }

  /** These options with {@code .gitignore} honoured or not. */
  public LoaderOptions withRespectGitignore(boolean respect) {
    return new LoaderOptions(fileTypes, includeHidden, respect, maxFileBytes);
  }

  /** These options with another size limit. */
  public LoaderOptions withMaxFileBytes(long limit) {
    return new LoaderOptions(fileTypes, includeHidden, respectGitignore, limit);
  }
}
