#!/usr/bin/env bash
# The keyword index LEANN had before issue 19 (shard/text Bm25Index and its file, removed since),
# measured on the passages of an index (its newest generation): compiles that commit's shard/text
# sources against the current protocol (in coordinator/target/leann.jar; build it first) and runs
# OldBm25 beside them. Prints build ms, file bytes, bytes per passage and, given the known-item
# queries of KnownItemBench, MRR@10 and recall@10.
#
# usage: bench/text/old-bm25.sh <index dir> [queries.tsv]
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
index=$1
queries=${2:-}
before=6e30d6f  # the last commit with the hand-written BM25
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$repo" archive "$before" shard-node/src/main/java/io/leann/shard/text | tar -x -C "$tmp"
mkdir "$tmp/classes"
javac -d "$tmp/classes" -cp "$repo/coordinator/target/leann.jar" \
  "$tmp"/shard-node/src/main/java/io/leann/shard/text/*.java "$repo/bench/text/OldBm25.java"
gen=$(dirname "$(ls -v "$index"/gen-*/documents.leann.passages.jsonl | tail -1)")
java -cp "$tmp/classes:$repo/coordinator/target/leann.jar" OldBm25 \
  "$gen/documents.leann.passages.jsonl" "$gen/documents.leann.passages.idx" "$tmp/old.bm25" $queries
