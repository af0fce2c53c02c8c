package io.leann.shard.filter;

/**
 * A metadata filter that cannot be compiled, with the filter field it is about, so that an API can
 * point at it ({@code metadata_filters.language}) and a command line can print the message as it
 * is ({@code field 'language' needs at least one operator}).
 */
public final class InvalidFilterException extends IllegalArgumentException {
  private final String field;
  private final String problem;

  /**
   * @param field the filter field at fault, or null when the filter as a whole is
   * @param problem what is wrong, phrased to follow the field's name
   */
  InvalidFilterException(String field, String problem) {
    super(field == null ? "the filter " + problem : "field '" + field + "' " + problem);
    this.field = field;
    this.problem = problem;
  }

  /** The filter field at fault, or null when the filter as a whole is. */
  public String field() {
    return field;
  }

  /** What is wrong, without the field's name. */
  public String problem() {
    return problem;
  }

  /** Where the fault is below {@code root}, the name of the whole filter: {@code root.field} or {@code root}. */
  public String path(String root) {
    return field == null ? root : root + "." + field;
  }
}
