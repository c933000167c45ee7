#!/usr/bin/env python3
"""Query set of bench/peer.sh, drawn deterministically from the catalog: one word, two words,
phrases, authors' surnames, ISBN-13s (titles in every script the generator writes). Prints one
query a line (UTF-8)."""
import random
import re
import sqlite3
import sys

db, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 300
rng = random.Random(19)
conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
(top,) = conn.execute("SELECT max(id) FROM libgen").fetchone()


def row():
    while True:
        r = conn.execute(
            "SELECT title, author, identifier_wodash FROM libgen WHERE id >= ? LIMIT 1",
            (rng.randint(1, top),),
        ).fetchone()
        if r and r[0]:
            return r


def words(text):
    return [w for w in re.findall(r"\w+", text or "") if len(w) >= 3 and not w.isdigit()]


classes = [("word", 100), ("two words", 60), ("phrase", 40), ("author", 50), ("isbn", 50)]
scale = n / 300
out = []
for cls, k in classes:
    got = 0
    while got < round(k * scale):
        title, author, isbn = row()
        w = words(title)
        q = None
        if cls == "word" and w:
            q = rng.choice(w)
        elif cls == "two words" and len(w) >= 2:
            j = rng.randrange(len(w) - 1)
            q = f"{w[j]} {w[j + 1]}"
        elif cls == "phrase" and len(w) >= 3:
            j = rng.randrange(len(w) - 2)
            q = '"' + " ".join(w[j : j + 3]) + '"'
        elif cls == "author":
            a = words((author or "").split(",")[0].split(";")[0])
            q = a[-1] if a else None
        elif cls == "isbn":
            m = re.search(r"97[89]\d{10}", isbn or "")
            q = m.group(0) if m else None
        if q:
            out.append(q)
            got += 1
for q in out:
    print(q)
