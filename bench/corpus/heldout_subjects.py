#!/usr/bin/env python3
"""Held-out queries for the spam-assassin corpus: the Subject lines of the messages that
spam_assassin.py skips (no text/plain body, so they are not in the corpus), de-duplicated, with
"Re:"/"Fwd:" prefixes removed and at least three words. Real queries that no one here wrote.

usage: heldout_subjects.py <package/data dir> [max queries]   (prints one query per line)
"""
import email
import json
import os
import re
import sys
from email import policy

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from spam_assassin import body_text  # noqa: E402


def main():
    data = sys.argv[1]
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    seen = set()
    for group in sorted(g for g in os.listdir(data) if os.path.isdir(os.path.join(data, g))):
        for name in sorted(os.listdir(os.path.join(data, group))):
            if not name.endswith(".json"):
                continue
            try:
                with open(os.path.join(data, group, name), encoding="utf-8") as f:
                    msg = email.message_from_string(json.load(f)["text"], policy=policy.default)
                body = body_text(msg)
                subject = str(msg.get("Subject", ""))
            except Exception:  # unreadable message: not a query either
                continue
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
