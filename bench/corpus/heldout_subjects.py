#!/usr/bin/env python3
"""Held-out queries for the spam-assassin corpus: the Subject lines of the messages that
spam_assassin.py skips (no text/plain body, so they are not in the corpus), de-duplicated, with
"Re:"/"Fwd:" prefixes removed and at least three words. Real queries that no one here wrote.

usage: heldout_subjects.py <package/data dir> [max queries]   (prints one query per line)
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from spam_assassin import messages  # noqa: E402


def main():
    data = sys.argv[1]
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    seen = set()
    for _, _, body, subject in messages(data):
        if body and body.strip():
            continue  # in the corpus
        subject = re.sub(r"^\s*((re|fwd?|fw)\s*:\s*)+", "", subject, flags=re.I).strip()
        subject = " ".join(subject.split())
        if len(subject.split()) < 3 or subject.lower() in seen:
            continue
        seen.add(subject.lower())
        print(subject)
        if len(seen) >= limit:
            return


if __name__ == "__main__":
    main()
