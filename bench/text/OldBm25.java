import io.leann.protocol.passages.PassageStore;
import io.leann.shard.text.Bm25Hits;
import io.leann.shard.text.Bm25Index;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The hand-written BM25 index LEANN had before issue 19 (compiled from that commit by
 * old-bm25.sh) on the passages of a KnownItemBench index: build time, file bytes, and MRR@10 /
 * recall@10 of the known-item queries, to set beside the Lucene figures.
 *
 * <p>usage: {@code OldBm25 <passages.jsonl> <passages.idx> <out file> [queries.tsv]}
 */
public final class OldBm25 {
  public static void main(String[] args) throws Exception {
    try (PassageStore store = PassageStore.open(Path.of(args[0]), Path.of(args[1]))) {
      String[] fileOfRow = new String[(int) store.size()];
      for (int row = 0; row < fileOfRow.length; row++) {
        fileOfRow[row] = String.valueOf(store.get(row).metadata().get("file_name"));
      }
      Path out = Path.of(args[2]);
      long ms = 0;
      // Two rounds, the second timed, as KnownItemBench times Lucene's.
      for (int round = 0; round < 2; round++) {
        long t0 = System.nanoTime();
        Bm25Index.build(store).save(out);
        ms = (System.nanoTime() - t0) / 1_000_000;
      }
      long bytes = Files.size(out);
      System.out.printf(Locale.ROOT, "old bm25 file     %8d %8d %10.1f%n", ms, bytes, bytes / (double) fileOfRow.length);
      if (args.length < 4) {
        return;
      }
      Bm25Index index = Bm25Index.load(out);
      List<String> lines = Files.readAllLines(Path.of(args[3]));
      double reciprocalRanks = 0;
      int found = 0;
      for (String line : lines) {
        int tab = line.indexOf('\t');
        Bm25Hits hits = index.search(line.substring(tab + 1), 10);
        for (int i = 0; i < hits.size(); i++) {
          if (fileOfRow[hits.rows()[i]].equals(line.substring(0, tab))) {
            reciprocalRanks += 1.0 / (i + 1);
            found++;
            break;
          }
        }
      }
      System.out.printf(Locale.ROOT, "%-26s %7.3f %10.3f%n", "bm25 old (hand-written)", reciprocalRanks / lines.size(),
          found / (double) lines.size());
    }
  }
}
