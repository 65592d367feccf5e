"""Text similarity of suggestions: the tokens, the weighted vectors, the score and the words two
texts share. Pure functions over strings and counts: the database side (the index of every
suggestion's tokens, the term counts, what a person may see) is in proposals/textindex.py.

Why character pairs and not a word segmenter: suggestions are short Chinese texts full of
place names, unit names and new terms (“交房即交证”, “飞线充电”) that a dictionary does not know.
Overlapping character pairs (bigrams) need no dictionary, no model and nothing to download, and
on the labelled set in tests/data/intelligence/ they meet the targets (bench/intelligence.py);
a word in Latin letters or digits (AED, 5G, 120) is kept whole. The bench also runs the same
ranking on jieba's words (rjieba): as good, not better (top-1 81.2 % against our 83.3 %, top-3
97.2 % against 95.8 %, duplicates 100 % precision at 99.1 % recall against 98.1 %), for a
dictionary to keep up to date and a compiled package to ship.

The score is the cosine of TF-IDF vectors (sublinear term frequency, the title counted twice so
that the title weighs more than the body) and is the same whatever the order of the inputs: the
ranking sorts by score, then by id, so equal scores always come out in the same order.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# The words every suggestion says, which tell nothing about its matter.
BOILERPLATE = (
    "关于",
    "的建议",
    "建议",
    "进一步",
    "加强",
    "加大",
    "加快",
    "推进",
    "推动",
    "完善",
    "提升",
    "做好",
    "问题",
    "工作",
    "我区",
    "示范区",
    "群众",
    "一是",
    "二是",
    "三是",
    "基本情况",
    "存在的问题",
    "具体建议",
)
_BOILERPLATE = re.compile("|".join(sorted(map(re.escape, BOILERPLATE), key=len, reverse=True)))
# Runs of Chinese characters, or of Latin letters and digits.
_RUNS = re.compile(r"[\u3400-\u9fff]+|[a-z0-9]+")
# Pairs that say nothing on their own even when they are rare enough to weigh.
_STOP_PAIRS = frozenset({"的一", "一些", "部分", "存在", "没有", "一个", "不能", "可以", "需要", "相关", "有关"})
TITLE_WEIGHT = 2


def normalize(text: str) -> str:
    """Full-width letters and digits to half-width, lower case, the boilerplate words out."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return _BOILERPLATE.sub(" ", text)


def tokenize(text: str) -> list[str]:
    """The tokens of a text: each pair of neighbouring Chinese characters (a lone character
    between two non-Chinese ones is kept alone), each word of Latin letters or digits."""
    out: list[str] = []
    for run in _RUNS.findall(normalize(text)):
        if not ("\u3400" <= run[0] <= "\u9fff"):
            out.append(run)
        elif len(run) == 1:
            out.append(run)
        else:
            out.extend(pair for pair in (run[i : i + 2] for i in range(len(run) - 1)) if pair not in _STOP_PAIRS)
    return out


def document_tokens(title: str, body: str) -> list[str]:
    """A suggestion's tokens for similarity: the title's count `TITLE_WEIGHT` times."""
    return tokenize(title) * TITLE_WEIGHT + tokenize(body)


@dataclass(frozen=True)
class Corpus:
    """How many documents contain each token, and how many documents there are: the IDF."""

    document_frequency: Mapping[str, int]
    documents: int

    @classmethod
    def of(cls, documents: Iterable[Sequence[str]]) -> Corpus:
        frequency: Counter[str] = Counter()
        count = 0
        for tokens in documents:
            frequency.update(set(tokens))
            count += 1
        return cls(frequency, count)

    def idf(self, token: str) -> float:
        return math.log((1 + self.documents) / (1 + self.document_frequency.get(token, 0))) + 1.0


Vector = dict[str, float]


def vector(tokens: Sequence[str], corpus: Corpus) -> Vector:
    """The L2-normalised TF-IDF vector of `tokens` (term frequency 1 + log tf)."""
    counts = Counter(tokens)
    weights = {token: (1.0 + math.log(n)) * corpus.idf(token) for token, n in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values()))
    if norm == 0:
        return {}
    return {token: w / norm for token, w in weights.items()}


def cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b[token] for token, w in a.items() if token in b)


@dataclass(frozen=True)
class Match:
    key: int | str
    score: float


def rank(query: Vector, candidates: Iterable[tuple[int | str, Vector]], *, limit: int, floor: float) -> list[Match]:
    """The `limit` candidates most similar to `query` scoring at least `floor`: by score, then
    by key, so the order never depends on how the candidates came."""
    scored = [Match(key, round(cosine(query, v), 6)) for key, v in candidates]
    scored = [m for m in scored if m.score >= floor]
    scored.sort(key=lambda m: (-m.score, str(m.key)))
    return scored[:limit]


def shared_words(a: str, b: str, corpus: Corpus | None = None, limit: int = 5) -> list[str]:
    """What two texts have in common, as words a person reads: the longest runs of Chinese
    characters (two or more) found in both, the rarest first, none inside another."""
    left = [run for run in _RUNS.findall(normalize(a)) if len(run) >= 2]
    right = " ".join(run for run in _RUNS.findall(normalize(b)))
    found: set[str] = set()
    for run in left:
        i = 0
        while i < len(run) - 1:
            best = ""
            for j in range(len(run), i + 1, -1):
                if run[i:j] in right:
                    best = run[i:j]
                    break
            if best and best not in _STOP_PAIRS:
                found.add(best)
                i += len(best)
            else:
                i += 1
    words = [w for w in found if not any(w != other and w in other for other in found)]

    def weight(word: str) -> tuple[float, str]:
        pairs = tokenize(word) or [word]
        rarity = sum(corpus.idf(p) for p in pairs) if corpus is not None else float(len(word))
        return (-rarity, word)

    return sorted(words, key=weight)[:limit]
