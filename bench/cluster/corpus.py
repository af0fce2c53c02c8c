"""Writes the benchmark corpus of bench/cluster-latency.sh as a JSON array of {"text", "metadata"}.

Paragraphs (120 to 1500 characters, whitespace collapsed, duplicates dropped) of Debian's license
texts (/usr/share/common-licenses) and of the packages' copyright files (/usr/share/doc/*/copyright),
in sorted file order, until COUNT are taken. Standard library only.

    /usr/bin/python3 bench/cluster/corpus.py COUNT OUT.json
"""
import glob
import json
import os
import re
import sys


def paragraphs():
    files = sorted(glob.glob("/usr/share/common-licenses/*")) + sorted(glob.glob("/usr/share/doc/*/copyright"))
    seen = set()
    for path in files:
        if not os.path.isfile(path):
            continue
        try:
            text = open(path, encoding="utf-8").read()
        except (OSError, UnicodeDecodeError):
            continue
        for i, p in enumerate(re.split(r"\n\s*\n", text)):
            p = re.sub(r"\s+", " ", p).strip()
            if 120 <= len(p) <= 1500 and p not in seen:
                seen.add(p)
                yield {"text": p, "metadata": {"file": path, "paragraph": i}}


def main():
    count, out = int(sys.argv[1]), sys.argv[2]
    docs = []
    for doc in paragraphs():
        docs.append(doc)
        if len(docs) == count:
            break
    with open(out, "w", encoding="utf-8") as f:
        json.dump(docs, f)
    print(len(docs))


if __name__ == "__main__":
    main()
