package io.leann.protocol.concurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ReferenceCountTest {

  @Test
  void theOwnersReferenceClosesWhenNoReaderHoldsOne() {
    AtomicInteger closes = new AtomicInteger();
    ReferenceCount count = new ReferenceCount(closes::incrementAndGet);
    assertTrue(count.acquire());
    count.release();
    assertEquals(0, closes.get(), "the owner still holds its reference");
    count.release();
    assertEquals(1, closes.get());
    assertFalse(count.acquire(), "nothing is handed out after the close");
    assertEquals(1, closes.get());
  }

  @Test
  void aReaderKeepsItOpenPastTheOwnersRelease() {
    AtomicInteger closes = new AtomicInteger();
    ReferenceCount count = new ReferenceCount(closes::incrementAndGet);
    assertTrue(count.acquire());
    count.release();
    count.acquire();
    count.release(); // the owner's
    assertEquals(0, closes.get());
    count.release();
    assertEquals(1, closes.get());
  }

  @Test
  void readersRacingTheOwnerNeverSeeItClosedAndItClosesOnce() throws Exception {
    for (int round = 0; round < 50; round++) {
      AtomicBoolean closed = new AtomicBoolean();
      AtomicInteger closes = new AtomicInteger();
      ReferenceCount count = new ReferenceCount(() -> {
        closed.set(true);
        closes.incrementAndGet();
      });
      CountDownLatch start = new CountDownLatch(1);
      AtomicInteger sawClosed = new AtomicInteger();
      List<Thread> readers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        readers.add(Thread.ofPlatform().start(() -> {
          await(start);
          for (int i = 0; i < 2_000; i++) {
            if (!count.acquire()) {
              return;
            }
            if (closed.get()) {
              sawClosed.incrementAndGet();
            }
            count.release();
          }
        }));
      }
      start.countDown();
      count.release();
      for (Thread reader : readers) {
        reader.join();
      }
      assertEquals(0, sawClosed.get(), "a reader held a closed resource");
      assertEquals(1, closes.get());
      assertFalse(count.acquire());
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
