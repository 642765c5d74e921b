#!/usr/bin/python3
"""Builds ChatAdvisor's default static word embedding from text that Debian ships.

Reproducible: the same Debian packages give the same file (fixed seeds, single-threaded numpy maths
apart from BLAS, which does not change the result beyond float rounding).

Pipeline (each step is measured by evaluate.py; the choices below are the ones the figures picked):
  1. Text: the HTML documentation of permissively licensed Debian packages (see SOURCES) plus the
     WordNet 3.0 glosses, lemma lists and example sentences (wordnet-base).
  2. Counts: word-context co-occurrence within a window of 5 (weighted 1/distance), inside one paragraph.
  3. PPMI with context-distribution smoothing (alpha 0.75), then a truncated SVD (randomised, fixed seed).
  4. Retrofitting (Faruqui et al., 2015) to WordNet synonym sets and to lexicon.txt, a hand-written list of
     software-engineering synonym groups that WordNet lacks (admin ~ back-office, ML ~ machine learning).
  5. SIF weights a / (a + p(w)) from the unigram frequencies, the corpus's first principal component of
     pooled sentence vectors (removed at embedding time), and character n-gram buckets for unknown words.
  6. int8 quantisation (one float32 scale per row) into one little-endian binary file (format in README.md).

Needs: python3-numpy, python3-scipy, wordnet-base and the packages in SOURCES (apt-get install ...).
Run:   /usr/bin/python3 tools/static-embedding/build.py --out models/static/chatadvisor-static.bin
"""
import argparse
import gzip
import html
import html.parser
import os
import re
import struct
import sys
import time

import numpy as np
import scipy.sparse as sp

# Debian documentation packages whose text is under a permissive licence (their copyright files say so).
SOURCES = {
    "python-django-doc": ("/usr/share/doc/python-django-doc/html", "BSD-3-Clause"),
    "python-flask-doc": ("/usr/share/doc/python-flask-doc/html", "BSD-3-Clause"),
    "python-werkzeug-doc": ("/usr/share/doc/python-werkzeug-doc/html", "BSD-3-Clause"),
    "python-jinja2-doc": ("/usr/share/doc/python-jinja2-doc/html", "BSD-3-Clause"),
    "python-sqlalchemy-doc": ("/usr/share/doc/python-sqlalchemy-doc/html", "MIT"),
    "python-requests-doc": ("/usr/share/doc/python-requests-doc/html", "Apache-2.0"),
    "python3.11-doc": ("/usr/share/doc/python3.11/html", "PSF-2.0"),
    "postgresql-doc-15": ("/usr/share/doc/postgresql-doc-15/html", "PostgreSQL"),
    "nodejs-doc": ("/usr/share/doc/nodejs/api", "MIT"),
}
WORDNET = "/usr/share/wordnet"

TOKEN = re.compile(r"[a-z0-9]+")
MAGIC = b"CASE"  # ChatAdvisor Static Embedding
VERSION = 1
BUCKET_MIN_N, BUCKET_MAX_N = 3, 5


def tokenize(text):
    """Lower-case ASCII letters and digits; everything else separates tokens. Mirrored by the C# loader."""
    return TOKEN.findall(text.lower())


class _TextExtractor(html.parser.HTMLParser):
    SKIP = {"script", "style", "nav", "head", "footer"}
    BLOCK = {"p", "li", "dd", "dt", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "div", "pre", "tr", "section", "br", "blockquote"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skip += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skip:
            self.skip -= 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def html_paragraphs(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as f:
        parser = _TextExtractor()
        parser.feed(f.read())
    for line in "".join(parser.parts).split("\n"):
        tokens = tokenize(line)
        if len(tokens) >= 4:
            yield tokens


def documentation_paragraphs():
    for package, (root, _) in sorted(SOURCES.items()):
        if not os.path.isdir(root):
            sys.exit(f"missing {root}: apt-get install {package}")
        files = []
        for folder, _, names in os.walk(root):
            for name in names:
                # all.html in the Node.js docs repeats every other page; genindex/search pages are word lists.
                if re.search(r"\.html(\.gz)?$", name) and name not in ("all.html", "genindex.html", "search.html") \
                        and not name.startswith("genindex-"):
                    files.append(os.path.join(folder, name))
        for path in sorted(files):
            yield from html_paragraphs(path)


def wordnet_synsets():
    """Yields (pos, offset, lemmas, gloss, pointers) for every WordNet synset."""
    for pos in ("noun", "verb", "adj", "adv"):
        with open(os.path.join(WORDNET, "data." + pos), encoding="latin-1") as f:
            for line in f:
                if line.startswith("  "):
                    continue  # licence header
                head, _, gloss = line.partition(" | ")
                fields = head.split()
                count = int(fields[3], 16)
                lemmas = [re.sub(r"\(.*\)$", "", fields[4 + 2 * i]).lower() for i in range(count)]
                rest = fields[4 + 2 * count:]
                pointers = []
                for i in range(int(rest[0])):
                    symbol, target, target_pos = rest[1 + 4 * i], rest[2 + 4 * i], rest[3 + 4 * i]
                    pointers.append((symbol, target_pos.replace("s", "a"), target))
                yield pos[0] if pos != "adj" else "a", fields[0], lemmas, gloss, pointers


def wordnet_paragraphs():
    for _, _, lemmas, gloss, _ in wordnet_synsets():
        # The lemmas next to their own definition and examples: "novice beginner tyro someone new to a field".
        tokens = tokenize(" ".join(l.replace("_", " ") for l in lemmas) + " " + gloss.replace(";", " "))
        if len(tokens) >= 3:
            yield tokens


def read_lexicon(path):
    groups = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                groups.append([term.strip() for term in line.split(",") if term.strip()])
    return groups


STOP = set("a an the of to for and or in on with by at as from is are be it its this that".split())


def fnv1a(data):
    h = 0x811C9DC5
    for b in data:
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def char_ngrams(word):
    w = ("<" + word + ">").encode("utf-8")
    for n in range(BUCKET_MIN_N, BUCKET_MAX_N + 1):
        for i in range(len(w) - n + 1):
            yield w[i:i + n]


def cooccurrence(paragraphs, vocab_size, window, min_count, english_boost):
    t = time.time()
    counts = {}
    corpus = []
    english = set()
    for source, tokens in paragraphs:
        corpus.append(tokens)
        for tok in tokens:
            counts[tok] = counts.get(tok, 0) + 1
        if source == "wordnet":
            english.update(tokens)
    # Words that WordNet uses count english_boost times when the vocabulary is chosen, so "drawbacks" gets a row
    # of its own before identifiers such as "setitimer" that only API references repeat.
    rank = lambda w: counts[w] * (english_boost if w in english else 1)
    words = sorted((w for w, c in counts.items() if c >= min_count and len(w) <= 40), key=lambda w: (-rank(w), w))[:vocab_size]
    index = {w: i for i, w in enumerate(words)}
    total_tokens = sum(counts.values())
    print(f"text: {len(corpus):,} paragraphs, {total_tokens:,} tokens, {len(counts):,} types; vocabulary {len(words):,} ({time.time() - t:.0f}s)")
    ids = np.fromiter((index.get(tok, -1) for tokens in corpus for tok in tokens + ["\0"]), dtype=np.int32)
    para = np.cumsum(np.fromiter((tok == "\0" for tokens in corpus for tok in tokens + ["\0"]), dtype=np.int32))
    n = len(words)
    matrix = sp.csr_matrix((n, n), dtype=np.float64)
    for d in range(1, window + 1):
        a, b = ids[:-d], ids[d:]
        keep = (a >= 0) & (b >= 0) & (para[:-d] == para[d:])
        part = sp.coo_matrix((np.full(int(keep.sum()), 1.0 / d), (a[keep], b[keep])), shape=(n, n)).tocsr()
        matrix = matrix + part + part.T
    print(f"co-occurrence: {matrix.nnz:,} non-zero pairs ({time.time() - t:.0f}s)")
    freq = np.array([counts[w] for w in words], dtype=np.float64)
    return words, freq, total_tokens, matrix, corpus


def ppmi(matrix, alpha=0.75):
    matrix = matrix.tocoo()
    rows = np.asarray(matrix.sum(axis=1)).ravel()
    cols = np.asarray(matrix.sum(axis=0)).ravel() ** alpha
    total = matrix.sum()
    pmi = np.log(matrix.data * cols.sum() / (rows[matrix.row] * cols[matrix.col]))
    keep = pmi > 0
    return sp.csr_matrix((pmi[keep], (matrix.row[keep], matrix.col[keep])), shape=matrix.shape), total


def randomized_svd(matrix, k, seed=20261121, oversample=20, iterations=4):
    rng = np.random.default_rng(seed)
    omega = rng.standard_normal((matrix.shape[1], k + oversample))
    y = matrix @ omega
    for _ in range(iterations):
        y, _ = np.linalg.qr(y)
        y = matrix @ (matrix.T @ y)
    q, _ = np.linalg.qr(y)
    b = (matrix.T @ q).T
    u_small, s, _ = np.linalg.svd(b, full_matrices=False)
    return (q @ u_small)[:, :k], s[:k]


def normalize(m):
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1
    return m / norms


def synonym_graph(words, lexicon_groups, use_wordnet, use_lexicon):
    index = {w: i for i, w in enumerate(words)}
    edges = {}

    def link(a, b, weight):
        if a != b:
            edges.setdefault(a, {})
            edges[a][b] = max(edges[a].get(b, 0), weight)

    if use_wordnet:
        for _, _, lemmas, _, _ in wordnet_synsets():
            single = [index[l] for l in lemmas if "_" not in l and "-" not in l and l in index]
            for a in single:
                for b in single:
                    link(a, b, 1.0)
    if use_lexicon:
        for group in lexicon_groups:
            members = []
            for term in group:
                members.extend(index[t] for t in tokenize(term) if t not in STOP and t in index)
            for a in members:
                for b in members:
                    link(a, b, 1.0)
    return edges


def retrofit(vectors, edges, iterations=10, alpha=1.0):
    """Faruqui et al. (2015): pull each word towards its synonyms while staying near its corpus vector."""
    original = vectors.copy()
    result = vectors.copy()
    for _ in range(iterations):
        for i, neighbours in edges.items():
            ids = np.fromiter(neighbours.keys(), dtype=np.int64)
            weights = np.fromiter(neighbours.values(), dtype=np.float64) / len(ids)
            result[i] = (alpha * original[i] + weights @ result[ids]) / (alpha + weights.sum())
    return result


def sif_weights(freq, total, a=1e-3):
    return a / (a + freq / total)


def pool(tokens_ids, vectors, weights):
    if not tokens_ids:
        return None
    return (weights[tokens_ids, None] * vectors[tokens_ids]).sum(axis=0) / len(tokens_ids)


def common_component(paragraphs, words, vectors, weights):
    index = {w: i for i, w in enumerate(words)}
    pooled = []
    for tokens in paragraphs:
        ids = [index[t] for t in tokens if t in index]
        v = pool(ids, vectors, weights)
        if v is not None:
            pooled.append(v)
    _, _, vt = np.linalg.svd(np.array(pooled), full_matrices=False)
    return vt[0]


def bucket_vectors(words, vectors, buckets):
    sums = np.zeros((buckets, vectors.shape[1]))
    counts = np.zeros(buckets)
    for i, w in enumerate(words):
        for g in char_ngrams(w):
            h = fnv1a(g) % buckets
            sums[h] += vectors[i]
            counts[h] += 1
    counts[counts == 0] = 1
    return sums / counts[:, None]


def quantize(m):
    scale = np.abs(m).max(axis=1) / 127.0
    scale[scale == 0] = 1
    q = np.clip(np.rint(m / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32)


def write_model(path, words, weights, vectors, component, buckets_matrix, oov_weight):
    """Format (little-endian): magic 'CASE', u32 version, u32 dims, u32 words, u32 buckets, u32 minN, u32 maxN,
    f32 oov weight; f32[dims] common component; per word: u8 byte length, UTF-8 bytes; f32[words] SIF weights;
    f32[words] row scales; i8[words*dims] rows; f32[buckets] bucket scales; i8[buckets*dims] bucket rows."""
    q, scale = quantize(vectors)
    bq, bscale = quantize(buckets_matrix)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "wb") as f:
        f.write(MAGIC)
        f.write(struct.pack("<6If", VERSION, vectors.shape[1], len(words), buckets_matrix.shape[0], BUCKET_MIN_N, BUCKET_MAX_N, oov_weight))
        f.write(component.astype("<f4").tobytes())
        for w in words:
            b = w.encode("utf-8")
            f.write(struct.pack("<B", len(b)))
            f.write(b)
        f.write(weights.astype("<f4").tobytes())
        f.write(scale.astype("<f4").tobytes())
        f.write(q.tobytes())
        f.write(bscale.astype("<f4").tobytes())
        f.write(bq.tobytes())


def build(args):
    here = os.path.dirname(os.path.abspath(__file__))
    t = time.time()
    cache = os.path.join(args.work, f"cooc-v{args.vocab}-w{args.window}-g{args.gloss_repeat}-e{args.english_boost}.npz")
    if os.path.exists(cache):
        data = np.load(cache, allow_pickle=True)
        words, freq, total = list(data["words"]), data["freq"], int(data["total"])
        matrix = sp.csr_matrix((data["data"], data["indices"], data["indptr"]), shape=(len(words), len(words)))
        sample = [line.split() for line in data["sample"]]
    else:
        def paragraphs():
            for tokens in documentation_paragraphs():
                yield "docs", tokens
            for _ in range(args.gloss_repeat):
                for tokens in wordnet_paragraphs():
                    yield "wordnet", tokens
        words, freq, total, matrix, corpus = cooccurrence(paragraphs(), args.vocab, args.window, args.min_count, args.english_boost)
        rng = np.random.default_rng(7)
        sample = [corpus[i] for i in rng.choice(len(corpus), size=min(20000, len(corpus)), replace=False)]
        del corpus
        os.makedirs(args.work, exist_ok=True)
        np.savez(cache, words=np.array(words, dtype=object), freq=freq, total=total,
                 data=matrix.data, indices=matrix.indices, indptr=matrix.indptr,
                 sample=np.array([" ".join(t) for t in sample], dtype=object))
    pmi, _ = ppmi(matrix)
    u, s = randomized_svd(pmi, args.dim)
    vectors = normalize(u * (s ** args.eig))
    print(f"svd: {args.dim} dimensions ({time.time() - t:.0f}s)")
    lexicon = read_lexicon(os.path.join(here, "lexicon.txt"))
    edges = synonym_graph(words, lexicon, args.wordnet, args.lexicon)
    if edges:
        vectors = normalize(retrofit(vectors, edges, alpha=args.retrofit_alpha))
        print(f"retrofit: {len(edges):,} words with synonyms ({time.time() - t:.0f}s)")
    weights = sif_weights(freq, total)
    oov_weight = float(sif_weights(np.array([args.min_count]), total)[0])
    component = common_component(sample, words, vectors, weights) if args.remove_component else np.zeros(args.dim)
    buckets = bucket_vectors(words, vectors, args.buckets)
    write_model(args.out, words, weights, vectors, component, buckets, oov_weight)
    print(f"wrote {args.out}: {os.path.getsize(args.out):,} bytes ({time.time() - t:.0f}s)")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True)
    p.add_argument("--work", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "work"))
    p.add_argument("--vocab", type=int, default=25000)
    p.add_argument("--dim", type=int, default=256)
    p.add_argument("--window", type=int, default=5)
    p.add_argument("--min-count", type=int, default=5)
    p.add_argument("--gloss-repeat", type=int, default=1)
    p.add_argument("--english-boost", type=int, default=1, help="vocabulary rank multiplier for words WordNet uses")
    p.add_argument("--eig", type=float, default=0.0, help="singular value exponent (0 = U only)")
    p.add_argument("--buckets", type=int, default=4096)
    p.add_argument("--retrofit-alpha", type=float, default=0.3)
    p.add_argument("--no-wordnet", dest="wordnet", action="store_false")
    p.add_argument("--no-lexicon", dest="lexicon", action="store_false")
    p.add_argument("--no-component", dest="remove_component", action="store_false")
    build(p.parse_args())


if __name__ == "__main__":
    main()
