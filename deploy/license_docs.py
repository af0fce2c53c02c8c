#!/usr/bin/env python3
"""Writes test documents for the cluster scripts: about 45 paragraphs of Debian's license texts
(/usr/share/common-licenses), each with its source file and paragraph number as metadata, as the
JSON array POST /indexes/{name}/documents takes. Prints how many.

    license_docs.py OUT
"""
import json
import re
import sys

docs = []
for name in ["Apache-2.0", "GPL-3", "MPL-2.0", "BSD", "Artistic", "LGPL-2.1", "CC0-1.0", "GFDL-1.3"]:
    text = open("/usr/share/common-licenses/" + name, encoding="utf-8").read()
    paragraphs = [re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n\s*\n", text)]
    paragraphs = [p for p in paragraphs if 150 <= len(p) <= 1200][:6]
    docs += [{"text": p, "metadata": {"source": name, "paragraph": i}} for i, p in enumerate(paragraphs)]
json.dump(docs, open(sys.argv[1], "w"))
print(len(docs))
