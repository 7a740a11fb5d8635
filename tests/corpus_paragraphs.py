#!/usr/bin/env python3
"""corpus_paragraphs.py -- every paragraph of every article is covered.

A paragraph is one non-blank line of an article file. It is covered when a
claim of that article (facts/art00N.facts, loaded into DB) has a quote lying
inside it, whitespace runs normalised. Paragraphs without a claim must be
listed, with a reason, in tests/corpus_paragraphs.txt; a listed paragraph
that does have a claim is reported too (the list must stay true).
usage: corpus_paragraphs.py FAKT DB
"""
import json, os, re, subprocess, sys

fakt, db = sys.argv[1], sys.argv[2]
ws = lambda s: re.sub(r"\s+", " ", s).strip()
# quotes per article file, from the database; which file a source was read
# from is in facts/sources.facts (source ID ... file "articles/NAME")
src_file = {}
for m in re.finditer(r'^source\s+(\w+)\s[^;]*?file\s+"articles/([^"]+)"',
                     open("facts/sources.facts", encoding="utf-8").read(), re.S | re.M):
    src_file[m.group(1)] = m.group(2)
out = subprocess.run([fakt, "--mode", "jsonl", "-c",
                      "find ?s, ?q where quote(?c, ?q), source(?c, ?s);", db],
                     capture_output=True, text=True, check=True).stdout
quotes = {}
for line in out.splitlines():
    row = json.loads(line)
    quotes.setdefault(src_file.get(row["s"], "?"), []).append(ws(row["q"]))
skipped = {}
for line in open("tests/corpus_paragraphs.txt", encoding="utf-8"):
    if line.startswith("#") or not line.strip():
        continue
    f, para, reason = line.rstrip("\n").split("\t")
    skipped.setdefault(f, set()).add(ws(para))
npass = nfail = 0
files = sorted(f for f in os.listdir("facts/articles") if f.endswith(".txt"))
if len(files) != 5:
    print("FAIL expected 5 articles, found %d" % len(files)); nfail += 1
for f in files:
    qs = quotes.get(f, [])
    if not qs:
        print("FAIL %s: no claims with quotes" % f); nfail += 1
    for para in open(os.path.join("facts/articles", f), encoding="utf-8"):
        p = ws(para)
        if not p:
            continue
        covered = any(q and q in p for q in qs)
        listed = p in skipped.get(f, set())
        if covered and listed:
            print("FAIL %s: listed as skipped but has a claim: %s" % (f, p[:70])); nfail += 1
        elif not covered and not listed:
            print("FAIL %s: paragraph without a claim: %s" % (f, p[:70])); nfail += 1
        else:
            npass += 1
print("%d passed, %d failed" % (npass, nfail))
sys.exit(1 if nfail else 0)
