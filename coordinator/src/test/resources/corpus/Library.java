/*
 * Demo corpus file for AST chunking tests.
 */
package io.leann.demo;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A small lending library: books, members and loans.
 *
 * <p>Not thread-safe; callers synchronise.
 */
public class Library {

  /** Loan period for ordinary members, in days. */
  public static final int LOAN_DAYS = 21;

  private final Map<String, Book> booksByIsbn = new HashMap<>();
  private final List<Loan> loans = new ArrayList<>();

  /**
   * A book in the catalogue.
   *
   * @param isbn   the ISBN-13
   * @param title  the title
   * @param author the main author
   */
  public record Book(String isbn, String title, String author) {
  }

  /** Where a book currently is. */
  public enum Status {
    AVAILABLE,
    ON_LOAN,
    LOST
  }

  /**
   * Adds a book to the catalogue, replacing any book with the same ISBN.
   *
   * @param book the book to add
   * @return the book it replaced, if any
   */
  public Optional<Book> addBook(Book book) {
    return Optional.ofNullable(booksByIsbn.put(book.isbn(), book));
  }

  /**
   * Finds a book by ISBN.
   *
   * @param isbn the ISBN-13 to look up
   * @return the book, or empty when the catalogue has none with that ISBN
   */
  public Optional<Book> findByIsbn(String isbn) {
    return Optional.ofNullable(booksByIsbn.get(isbn));
  }

  /**
   * Lends a book to a member for {@link #LOAN_DAYS} days.
   *
   * @throws IllegalStateException when the book is already on loan
   */
  @SuppressWarnings("unused")
  public Loan lend(String isbn, String memberId, LocalDate today) {
    Book book = findByIsbn(isbn).orElseThrow(() -> new IllegalArgumentException("unknown ISBN " + isbn));
    if (status(isbn) == Status.ON_LOAN) {
      throw new IllegalStateException(book.title() + " is already on loan");
    }
    Loan loan = new Loan(isbn, memberId, today, today.plusDays(LOAN_DAYS));
    loans.add(loan);
    return loan;
  }

  /** The status of a book, computed from the open loans. */
  public Status status(String isbn) {
    if (!booksByIsbn.containsKey(isbn)) {
      return Status.LOST;
    }
    for (Loan loan : loans) {
      if (loan.isbn().equals(isbn) && loan.returned() == null) {
        return Status.ON_LOAN;
      }
    }
    return Status.AVAILABLE;
  }

  /**
   * Computes the fine for a loan returned on {@code returnedOn}: nothing within the loan period,
   * then a daily rate that grows with the delay, capped at the price of a new copy.
   */
  public long fineInCents(Loan loan, LocalDate returnedOn) {
    long daysLate = returnedOn.toEpochDay() - loan.due().toEpochDay();
    if (daysLate <= 0) {
      return 0;
    }
    long fine = 0;
    for (long day = 1; day <= daysLate; day++) {
      if (day <= 7) {
        fine += 10;
      } else if (day <= 14) {
        fine += 20;
      } else if (day <= 28) {
        fine += 40;
      } else if (day <= 56) {
        fine += 80;
      } else {
        fine += 160;
      }
      if (fine >= 2500) {
        return 2500;
      }
    }
    switch (loan.memberId().charAt(0)) {
      case 'S' -> fine = fine / 2;
      case 'R' -> fine = fine * 3 / 4;
      case 'V' -> fine = 0;
      default -> {
        // Ordinary members pay the full fine.
      }
    }
    return fine;
  }

  /** An open or closed loan. */
  public record Loan(String isbn, String memberId, LocalDate start, LocalDate due, LocalDate returned) {

    /** A new, open loan. */
    public Loan(String isbn, String memberId, LocalDate start, LocalDate due) {
      this(isbn, memberId, start, due, null);
    }
  }
}
