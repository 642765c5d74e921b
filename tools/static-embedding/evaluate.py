#!/usr/bin/python3
"""Measures a static embedding file built by build.py: nearest-neighbour sanity checks and paraphrase retrieval.

Run: /usr/bin/python3 tools/static-embedding/evaluate.py models/static/chatadvisor-static.bin [more.bin ...]
     [--corpus corpus] [--questions tools/static-embedding/paraphrases.tsv]

Paraphrase retrieval: the articles are cut into passages of about 120 words at paragraph boundaries; each
question is embedded (SIF pooling, as the C# generator does) and the passages are ranked by cosine. A question
is answered at rank r when a passage containing one of its expected phrases is at rank r.
"""
import argparse
import json
import os
import re
import struct

import numpy as np

TOKEN = re.compile(r"[a-z0-9]+")
PAIRS = [("beginner", "novice"), ("admin", "back-office"), ("traffic", "load"), ("prototype", "proof-of-concept"),
         ("serve", "deploy"), ("model", "ml")]
# Texts for the C# parity test: known words, unknown words and typos (n-gram buckets), punctuation, empty text.
GOLDEN_TEXTS = [
    "Which framework should I use for a high-traffic ML inference API?",
    "Django vs Flask vs FastAPI: how do they compare?",
    "beginner",
    "novice",
    "I need back-office screens so staff can edit records",
    "perfromance of asyncronous framewrok",
    "Flask-WTF adds CSRF protection; Django's admin is built in.",
    "ZZZ qqqxj 12345 \u00e9t\u00e9 na\u00efve caf\u00e9",
    "",
    "   ...   ",
    "Supercalifragilisticexpialidociousandthenalotmorecharactersbeyondsixtyfourletterslong token",
]
PROBES = ["beginner", "admin", "traffic", "prototype", "serve", "model", "async", "database", "fast", "drawbacks"]


def fnv1a(data):
    h = 0x811C9DC5
    for b in data:
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


class Model:
    def __init__(self, path):
        with open(path, "rb") as f:
            data = f.read()
        assert data[:4] == b"CASE", "not a ChatAdvisor static embedding"
        _, dims, words, buckets, self.min_n, self.max_n, self.oov_weight = struct.unpack_from("<6If", data, 4)
        pos = 32
        self.component = np.frombuffer(data, "<f4", dims, pos).astype(np.float64); pos += 4 * dims
        self.words = []
        for _ in range(words):
            n = data[pos]; self.words.append(data[pos + 1:pos + 1 + n].decode("utf-8")); pos += 1 + n
        self.weights = np.frombuffer(data, "<f4", words, pos).astype(np.float64); pos += 4 * words
        scale = np.frombuffer(data, "<f4", words, pos); pos += 4 * words
        self.vectors = np.frombuffer(data, np.int8, words * dims, pos).reshape(words, dims) * scale[:, None].astype(np.float64)
        pos += words * dims
        bscale = np.frombuffer(data, "<f4", buckets, pos); pos += 4 * buckets
        self.buckets = np.frombuffer(data, np.int8, buckets * dims, pos).reshape(buckets, dims) * bscale[:, None].astype(np.float64)
        self.index = {w: i for i, w in enumerate(self.words)}
        self.unit = self.vectors / np.maximum(np.linalg.norm(self.vectors, axis=1, keepdims=True), 1e-12)
        self.size = len(data)

    def word(self, w):
        if w in self.index:
            return self.vectors[self.index[w]], self.weights[self.index[w]]
        b = ("<" + w + ">").encode("utf-8")
        grams = [fnv1a(b[i:i + n]) % len(self.buckets) for n in range(self.min_n, self.max_n + 1) for i in range(len(b) - n + 1)]
        if not grams:
            return None, 0.0
        return self.buckets[grams].mean(axis=0), self.oov_weight

    def embed(self, text):
        total = np.zeros(self.vectors.shape[1])
        for tok in TOKEN.findall(text.lower()):
            v, w = self.word(tok[:64])  # the C# generator keeps the first 64 characters of a token
            if v is not None:
                total += w * v
        total -= (total @ self.component) * self.component
        n = np.linalg.norm(total)
        return total / n if n > 0 else total

    def neighbours(self, w, k=6):
        v = self.embed(w)
        sims = self.unit @ v
        order = np.argsort(-sims)
        return [self.words[i] for i in order if self.words[i] != w][:k]


def passages(corpus_dir, target_words=120):
    result = []
    for name in sorted(os.listdir(corpus_dir)):
        text = open(os.path.join(corpus_dir, name), encoding="utf-8").read()
        current = []
        for para in re.split(r"\n\s*\n", text):
            para = para.strip()
            if not para:
                continue
            current.append(para)
            if sum(len(p.split()) for p in current) >= target_words:
                result.append((name, "\n\n".join(current)))
                current = []
        if current:
            result.append((name, "\n\n".join(current)))
    return result


def read_questions(path):
    questions = []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line and not line.startswith("#"):
            q, *expected = line.split("\t")
            questions.append((q, expected))
    return questions


def norm(s):
    return re.sub(r"\s+", " ", s).lower()


def rank_of(order, chunks, expected):
    for r, i in enumerate(order, 1):
        if any(norm(e) in norm(chunks[i][1]) for e in expected):
            return r
    return None


def bm25_order(question, chunks, k1=1.2, b=0.75):
    docs = [TOKEN.findall(c[1].lower()) for c in chunks]
    avg = sum(map(len, docs)) / len(docs)
    q = set(TOKEN.findall(question.lower()))
    scores = []
    for d in docs:
        s = 0.0
        for t in q:
            df = sum(1 for x in docs if t in x)
            tf = d.count(t)
            if tf:
                s += np.log(1 + (len(docs) - df + 0.5) / (df + 0.5)) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(d) / avg))
        scores.append(s)
    return list(np.argsort(-np.array(scores), kind="stable"))


def report(label, ranks):
    n = len(ranks)
    r = lambda k: sum(1 for x in ranks if x and x <= k) / n
    mrr = sum(1 / x for x in ranks if x) / n
    print(f"  {label:<10} R@1 {r(1):.2f}  R@3 {r(3):.2f}  R@5 {r(5):.2f}  MRR {mrr:.3f}")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser()
    p.add_argument("models", nargs="+")
    p.add_argument("--corpus", default=os.path.join(here, "..", "..", "corpus"))
    p.add_argument("--questions", default=os.path.join(here, "paraphrases.tsv"))
    p.add_argument("--golden", help="write the reference embeddings of GOLDEN_TEXTS for the first model to this JSON file")
    args = p.parse_args()
    if args.golden:
        m = Model(args.models[0])
        with open(args.golden, "w", encoding="utf-8") as f:
            json.dump([{"text": t, "embedding": [round(float(x), 7) for x in m.embed(t)]} for t in GOLDEN_TEXTS], f, indent=1)
            f.write("\n")
        return
    chunks = passages(args.corpus)
    questions = read_questions(args.questions)
    print(f"{len(chunks)} passages, {len(questions)} paraphrase questions")
    report("bm25", [rank_of(bm25_order(q, chunks), chunks, e) for q, e in questions])
    for path in args.models:
        m = Model(path)
        print(f"{os.path.basename(path)} ({m.size:,} bytes, {len(m.words):,} words x {m.vectors.shape[1]})")
        for a, b in PAIRS:
            print(f"  cos({a}, {b}) = {m.embed(a) @ m.embed(b):.2f}")
        for w in PROBES:
            print(f"  {w}: {', '.join(m.neighbours(w))}")
        matrix = np.array([m.embed(c[1]) for c in chunks])
        ranks = [rank_of(list(np.argsort(-(matrix @ m.embed(q)), kind="stable")), chunks, e) for q, e in questions]
        report("vector", ranks)


if __name__ == "__main__":
    main()
