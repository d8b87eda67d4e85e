"""Text features and the linear scorer shared by the sentiment and direction models.

Private module. The training script (``scripts/train_sentiment.py``) and the runtime use the
same feature code, so a model always sees at inference the features it was trained on.

Features are strings in groups:

- ``w``: word unigrams and bigrams (lower-cased; numbers become ``<num>``), plus ``!``-prefixed
  copies of the words in a negation scope ("not", "fails to", "no", ...; three words or up to
  punctuation);
- ``c``: character 2–5-grams inside each word, with word-boundary marks;
- ``x``: a small hand-written finance lexicon: change words (up/down), measures that are good
  or bad when they rise (profit vs loss), their conjunction in the same clause (``UP:bad`` —
  "loss widened" — reads negative), and the direction of numeric comparisons such as
  "to EUR 13.1 mn from EUR 8.7 mn" or "2.4 % , down from 5.7 %";
- ``t`` (direction model only): features conditioned on one target company: the words of the
  clause that holds it, the words just before and after it, and the lexicon signals of its own
  clause versus the other clauses.

A model may also carry a dense part (the sentence model does): the mean of static
word-piece embeddings of the text's non-numeric tokens, distilled at training time from
all-MiniLM-L6-v2 (see ``scripts/train_sentiment.py``). The part is linear, so it ships folded
into one score row per word piece; tokens are split into BERT-uncased word pieces here
(:func:`wordpieces`).

The headline model also carries a convolutional part (:class:`ConvPart`, distilled at
training time from a fine-tuned transformer): a width-3 convolution over the word pieces,
max-pooled, which sees word order and word combinations that a bag of features cannot. Its
per-piece projections are precomputed at load, so it costs additions, not matrix products.

A model maps each feature seen in training to a row of a weight matrix. A document's vector
is, per group, the idf weights of its distinct features scaled to unit length; the class
scores are the weighted sum of the rows plus a bias, and a softmax (with a fitted temperature)
gives the probabilities.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import numba
import numpy as np

GROUPS: tuple[str, ...] = ("w", "c", "x", "t")
CLASSES: tuple[str, str, str] = ("negative", "neutral", "positive")

_CHAR_MIN, _CHAR_MAX = 2, 5
_NEGATION_SCOPE = 3
_CACHE_LIMIT = 200_000

# --- normalisation and tokenisation ---------------------------------------------------------

_TRANSLATE = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
        "\u2014": "-", "\u20b9": " rs ", "\xa0": " ",
    }
)
_SPLIT_DECIMAL = re.compile(r"(\d) \.(\d)")  # FPB writes "EUR7 .3 m"
_PERCENT = re.compile(r"\b(?:per ?cent|percent|pct|pc)\b")
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[a-z]+(?:'[a-z]+)?|[%&$@#+]|[^\s\w]")

_NEGATORS = frozenset(
    "not no never without cannot nor neither fails fail failed failing unable lack lacks "
    "lacking none hardly barely".split()
)
_CLAUSE_BREAKS = frozenset(list(",;:|?!()[]\"") + ["while", "but", "whereas", "though",
                                                    "although", "however", "vs", "versus"])
_PUNCT_STOP = frozenset(list(".,;:|?!()[]\""))

_UP = frozenset(
    """up rise rises rose risen rising gain gains gained gaining jump jumps jumped jumping surge
    surges surged surging soar soars soared soaring climb climbs climbed climbing rally rallies
    rallied rallying increase increases increased increasing grow grows grew grown growing
    growth higher highest high highs advance advances advanced improve improves improved
    improving improvement rebound rebounds rebounded boost boosts boosted expand expands
    expanded expansion double doubles doubled triple tripled spurt spurts spurted zoom zooms
    zoomed upgrade upgrades upgraded outperform outperforms outperformed beat beats top tops
    topped exceed exceeds exceeded record strong stronger strength firm firms firmed widen
    widens widened widening hike hikes hiked raise raises raised lift lifts lifted add adds
    added recover recovers recovered recovery bounce bounces bounced upside peak surplus
    accelerate accelerates accelerated""".split()
)
_DOWN = frozenset(
    """down fall falls fell fallen falling drop drops dropped dropping decline declines declined
    declining slump slumps slumped slumping plunge plunges plunged plunging tumble tumbles
    tumbled tumbling sink sinks sank sunk slide slides slid sliding dip dips dipped dipping
    decrease decreases decreased decreasing lower lowest low lows shrink shrinks shrank shrunk
    contract contracts contracted contraction crash crashes crashed tank tanks tanked weaken
    weakens weakened weak weaker weakness cut cuts cutting slash slashes slashed downgrade
    downgrades downgraded miss misses missed lose loses lost losing slip slips slipped skid
    skids skidded ease eases eased shed sheds erode erodes eroded plummet plummets plummeted
    narrow narrows narrowed narrowing reduce reduces reduced reduction slowdown slow slows
    slowed sluggish dull decelerate decelerated underperform underperforms worst
    deteriorate deteriorated deteriorates""".split()
)
_GOOD = frozenset(
    """profit profits sales revenue revenues earnings income margin margins ebitda ebit orders
    order demand dividend turnover volume volumes eps output production deliveries subscribers
    rating target valuation exports capacity bookings traffic cash stock stocks shares share
    price prices sensex nifty index market markets rupee net pat operating business result
    results performance order-book orderbook guidance outlook forecast""".split()
)
_BAD = frozenset(
    """loss losses cost costs debt debts expenses expense npa npas gnpa nnpa deficit
    unemployment inflation provisions provision layoffs job-cuts writedown write-down
    impairment liabilities borrowing borrowings default defaults pressure fine penalty
    outflow outflows slippage slippages risk risks yield yields burden headwinds""".split()
)
_POLAR = {
    **{w: "pos" for w in """beats beat strong robust upbeat buy accumulate outperform bullish
        optimistic record boost surge win wins won award awarded approval approves approved
        acquire acquires wins bags bag secures secured order contract profit profitable
        positive good better best gains rally""".split()},
    **{w: "neg" for w in """sell bearish pessimistic fraud scam probe penalty penalises
        penalised penalizes penalized fine fined ban banned bans warn warns warning concern
        concerns worry worries fear fears crisis default defaults downgrade downgraded loss
        losses lawsuit sue sues sued raid raids arrest arrested negative bad worse worst
        weak violation violated scrap scrapped halt halted suspend suspended layoff layoffs
        redundant redundancies resign resigns quit quits shut shuts closure bankrupt
        bankruptcy insolvency stress stressed slump crash""".split()},
}
_UNITS = {
    "bn": 1e9, "billion": 1e9, "mn": 1e6, "million": 1e6, "m": 1e6, "crore": 1e7, "cr": 1e7,
    "crores": 1e7, "lakh": 1e5, "lakhs": 1e5, "k": 1e3, "thousand": 1e3, "trillion": 1e12,
}
_COMPARE_AFTER = frozenset(["compared", "against", "versus", "vs", "from"])


def normalise(text: str) -> str:
    """Return the lower-cased text with quotes, dashes, decimals and "per cent" unified."""
    text = _SPLIT_DECIMAL.sub(r"\1.\2", text.translate(_TRANSLATE).lower())
    return _PERCENT.sub("%", text)


def tokenize(text: str) -> list[str]:
    """Return the tokens of ``text`` (lower-cased; numbers kept verbatim)."""
    return _TOKEN.findall(normalise(text))


def _number(tok: str) -> float | None:
    if not tok[0].isdigit():
        return None
    try:
        return float(tok.replace(",", ""))
    except ValueError:
        return None


def _value_at(tokens: Sequence[str], i: int) -> float | None:
    value = _number(tokens[i])
    if value is not None and i + 1 < len(tokens):
        value *= _UNITS.get(tokens[i + 1], 1.0)
    return value


def _first_number(tokens: Sequence[str], start: int, stop: int) -> float | None:
    for j in range(max(start, 0), min(stop, len(tokens))):
        if tokens[j] in _PUNCT_STOP and tokens[j] != ",":
            return None
        if tokens[j][0].isdigit():
            return _value_at(tokens, j)
    return None


def _last_number(tokens: Sequence[str], start: int, stop: int) -> float | None:
    for j in range(min(stop, len(tokens)) - 1, max(start, 0) - 1, -1):
        if tokens[j] in _PUNCT_STOP and tokens[j] != ",":
            return None
        if tokens[j][0].isdigit():
            return _value_at(tokens, j)
    return None


def numeric_changes(tokens: Sequence[str]) -> list[tuple[int, str]]:
    """Return (position, "INC"/"DEC") for comparisons like "to 13.1 from 8.7", "from A to B"."""
    out: list[tuple[int, str]] = []
    for i, tok in enumerate(tokens):
        if tok not in _COMPARE_AFTER:
            continue
        old = _first_number(tokens, i + 1, i + 5)
        if old is None:
            continue
        new: float | None = None
        if tok == "from":
            # "from A to B" first, else "... to B from A" / "B , up from A"
            for j in range(i + 2, min(i + 8, len(tokens))):
                if tokens[j] == "to":
                    new = _first_number(tokens, j + 1, j + 4)
                    break
            if new is None:
                new = _last_number(tokens, i - 8, i)
        else:
            new = _last_number(tokens, i - 10, i)
        if new is not None and new != old:
            out.append((i, "INC" if new > old else "DEC"))
    return out


def _clauses(tokens: Sequence[str]) -> list[int]:
    """Return a clause id for every token (clauses split at commas, "while", "but", ...)."""
    ids, cur = [], 0
    for tok in tokens:
        if tok in _CLAUSE_BREAKS:
            cur += 1
        ids.append(cur)
    return ids


def _token_kinds(tok: str, negated: bool) -> list[str]:
    kinds = []
    if tok in _UP:
        kinds.append("NOTUP" if negated else "UP")
    elif tok in _DOWN:
        kinds.append("NOTDOWN" if negated else "DOWN")
    if tok in _GOOD:
        kinds.append("good")
    elif tok in _BAD:
        kinds.append("bad")
    return kinds


# token -> (its kinds, its kinds when negated, its polarity or ""): one lookup per token, and
# most tokens are in none of the word lists
_LEXICON_ENTRIES: dict[str, tuple[list[str], list[str], str]] = {
    tok: (_token_kinds(tok, False), _token_kinds(tok, True), _POLAR.get(tok, ""))
    for tok in _UP | _DOWN | _GOOD | _BAD | set(_POLAR)
}


def _lexicon(tokens: Sequence[str], clause: Sequence[int], negated: Sequence[bool],
             prefix: str = "") -> list[str]:
    feats: list[str] = []
    by_clause: dict[int, set[str]] = {}
    entries = _LEXICON_ENTRIES
    for i in [i for i, tok in enumerate(tokens) if tok in entries]:
        plain, when_negated, pol = entries[tokens[i]]
        kinds = when_negated if negated[i] else plain
        if kinds:
            by_clause.setdefault(clause[i], set()).update(kinds)
        if pol:
            feats.append(prefix + ("NOT" if negated[i] else "") + pol)
    if not _COMPARE_AFTER.isdisjoint(tokens):
        for i, change in numeric_changes(tokens):
            by_clause.setdefault(clause[i], set()).add("N" + change)
    for present in by_clause.values():
        for k in present:
            feats.append(prefix + k)
            if k.isupper():  # a change (UP, NOTDOWN, NINC, ...) meets a measure in its clause
                feats.extend(f"{prefix}{k}:{m}" for m in ("good", "bad") if m in present)
    return feats


def _negation(tokens: Sequence[str]) -> list[bool]:
    out, left = [], 0
    for tok in tokens:
        if tok in _PUNCT_STOP:
            left = 0
        out.append(left > 0)
        if left:
            left -= 1
        if tok in _NEGATORS or tok.endswith("n't"):
            left = _NEGATION_SCOPE
    return out


def char_ngrams(word: str) -> list[str]:
    """Return the distinct character 2–5-grams of `` word `` (with boundary spaces)."""
    padded = f" {word} "
    n = len(padded)
    grams = {padded[i:i + k] for k in range(_CHAR_MIN, _CHAR_MAX + 1) for i in range(n - k + 1)}
    grams.discard("  ")
    return list(grams)


@dataclass(frozen=True, slots=True)
class Parsed:
    """A tokenised text with the per-token annotations the feature functions share."""

    tokens: list[str]
    forms: list[str]
    clause: list[int]
    negated: list[bool]


def parse(text: str) -> Parsed:
    tokens = tokenize(text)
    forms = ["<num>" if t[0].isdigit() else t for t in tokens]
    return Parsed(tokens, forms, _clauses(tokens), _negation(tokens))


_TRAILERS = frozenset(["'", '"', ")", "`", "]"])
_SENTENCE_TOKENS = 24


def is_sentence(p: Parsed) -> bool:
    """Return True for a full sentence (ends with a full stop, or is long), False for a headline.

    Headlines carry no final full stop and are short; the two registers get separate models.
    """
    tokens = p.tokens
    if len(tokens) >= _SENTENCE_TOKENS:
        return True
    end = len(tokens)
    while end > 0 and tokens[end - 1] in _TRAILERS:
        end -= 1
    return end > 0 and tokens[end - 1] == "."


def word_features(p: Parsed) -> list[str]:
    return p.forms + context_features(p)


def context_features(p: Parsed) -> list[str]:
    """Return the ``w`` features beyond the unigrams: bigrams and negation-scope copies."""
    forms = p.forms
    feats: list[str] = []
    prev = "<s>"
    for f in forms:
        feats.append(prev + " " + f)
        prev = f
    feats.append(prev + " </s>")
    feats.extend("!" + f for f, neg in zip(forms, p.negated, strict=True) if neg)
    return feats


def lexicon_features(p: Parsed) -> list[str]:
    feats = _lexicon(p.tokens, p.clause, p.negated)
    n = len(p.tokens)
    feats.append("len<8" if n < 8 else "len<16" if n < 16 else "len<30" if n < 30 else "len30+")
    return feats


def text_features(text: str) -> dict[str, list[str]]:
    """Return the ``w``, ``c`` and ``x`` feature strings of one text (training-time helper)."""
    p = parse(text)
    chars: list[str] = []
    for f in set(p.forms):
        if f[0].isalpha():
            chars.extend(char_ngrams(f))
    return {"w": word_features(p), "c": chars, "x": lexicon_features(p)}


# --- target-conditioned features (direction) ------------------------------------------------


def find_target(tokens: Sequence[str], target: str) -> tuple[int, int] | None:
    """Return the token span [start, stop) of ``target`` in ``tokens``, or None.

    Exact token match first; then the longest run of the target's leading tokens (so
    "Tata Consultancy Services" is found in "Tata Consultancy shares ..."), then any
    target token longer than three letters.
    """
    want = tokenize(target)
    if not want or not tokens:
        return None
    for k in range(len(want), 0, -1):
        head = want[:k]
        for i in range(len(tokens) - k + 1):
            if tokens[i:i + k] == head:
                return i, i + k
    for w in want:
        if len(w) > 3:
            for i, tok in enumerate(tokens):
                if tok == w or (len(tok) > 4 and tok.rstrip("s") == w.rstrip("s")):
                    return i, i + 1
    return None


def target_features(p: Parsed, target: str) -> list[str]:
    """Return the ``t`` features of ``target`` in the parsed text (see module doc)."""
    span = find_target(p.tokens, target)
    if span is None:
        return ["T:notfound"]
    start, stop = span
    tokens, forms, clause = p.tokens, p.forms, p.clause
    n = len(tokens)
    cid = clause[start] if start < n else 0
    n_clauses = clause[-1] + 1 if clause else 1
    feats = [f"T:pos{min(start, 3)}", f"T:clause{min(cid, 2)}/{min(n_clauses, 3)}"]
    if start == 0:
        feats.append("T:first")
    # words of the target's own clause, outside the target, tagged left/right of it
    for i in range(n):
        if start <= i < stop or clause[i] != cid:
            continue
        side = "L" if i < start else "R"
        feats.append(f"T{side}:{forms[i]}")
        feats.append(f"T:{forms[i]}")
    # the nearest words on each side (across clause breaks)
    for d in (1, 2):
        if start - d >= 0:
            feats.append(f"T-{d}:{forms[start - d]}")
        if stop - 1 + d < n:
            feats.append(f"T+{d}:{forms[stop - 1 + d]}")
    if start >= 1 and stop < n:
        feats.append(f"T-1+1:{forms[start - 1]}|{forms[stop]}")
    # lexicon signals in the target's clause and in the others
    own = [i for i in range(n) if clause[i] == cid and not (start <= i < stop)]
    if own:
        sub = [tokens[i] for i in own]
        feats.extend(_lexicon(sub, [0] * len(sub), [p.negated[i] for i in own], "Tx:"))
    other = [i for i in range(n) if clause[i] != cid]
    if other:
        sub = [tokens[i] for i in other]
        feats.extend(
            _lexicon(sub, [clause[i] for i in other], [p.negated[i] for i in other], "To:")
        )
    return feats


# --- word pieces (the dense, distilled part of a model) -------------------------------------


def wordpieces(word: str, index: dict[str, int], unknown: int,
               longest: int = 1 << 30) -> tuple[int, ...]:
    """Return the WordPiece ids of one lower-cased token (BERT uncased, greedy longest match).

    Accents are stripped and an apostrophe is a piece of its own, as in BERT's basic
    tokenizer; a part with no segmentation becomes ``unknown``. ``longest`` is the length of
    the longest piece in ``index`` (with its ``##``): no longer candidate can match, so
    trying only shorter ones gives the same pieces in time linear in the word's length (a
    40,000-letter "word" took minutes before).
    """
    if not word.isascii():
        word = "".join(c for c in unicodedata.normalize("NFD", word)
                       if unicodedata.category(c) != "Mn")
    out: list[int] = []
    for part in word.replace("'", " ' ").split():
        start, pieces = 0, []
        while start < len(part):
            stop, found = min(len(part), start + longest), -1
            while stop > start:
                sub = part[start:stop] if start == 0 else "##" + part[start:stop]
                found = index.get(sub, -1)
                if found >= 0:
                    break
                stop -= 1
            if found < 0:
                pieces = [unknown]
                break
            pieces.append(found)
            start = stop
        out.extend(pieces)
    return tuple(out)


# --- the linear scorer ----------------------------------------------------------------------


class LinearModel:
    """A multinomial linear model over grouped, idf-weighted, unit-length feature vectors.

    Optionally also over the mean of distilled static word-piece embeddings of the text's
    (non-numeric) tokens: that part is linear too, so it ships folded into one score row per
    word piece (``piece_weights``) and costs a lookup and a mean at run time.
    """

    def __init__(self, vocab: Sequence[str], groups: np.ndarray, idf: np.ndarray,
                 weights: np.ndarray, bias: np.ndarray, temperature: float,
                 pieces: Sequence[str] = (), piece_weights: np.ndarray | None = None,
                 conv: ConvPart | None = None) -> None:
        self.index: dict[str, int] = {f: i for i, f in enumerate(vocab)}
        self.groups = np.asarray(groups, dtype=np.int64)
        self.idf = np.asarray(idf, dtype=np.float64)
        self.weights = np.asarray(weights, dtype=np.float64)
        self.bias = np.asarray(bias, dtype=np.float64)
        self.temperature = float(temperature)
        self.n_groups = len(GROUPS)
        self._form_cache: dict[str, tuple[int, ...]] = {}
        self._table = np.column_stack([self.idf**2, self.idf[:, None] * self.weights])
        self.piece_index: dict[str, int] = {f: i for i, f in enumerate(pieces)}
        self._unknown = self.piece_index.get("[UNK]", -1)
        self._longest_piece = max(map(len, self.piece_index), default=0)
        n_classes = self.weights.shape[1]
        self.piece_table = (np.zeros((1, n_classes)) if piece_weights is None
                            else np.asarray(piece_weights, dtype=np.float64))
        self._piece_cache: dict[str, tuple[int, ...]] = {}
        self.conv = conv

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        with np.load(path, allow_pickle=False) as z:
            vocab = str(z["vocab"]).split("\n")
            pieces = str(z["pieces"]).split("\n") if "pieces" in z.files else ()
            piece_weights = z["piece_weights"] if "piece_weights" in z.files else None
            conv = ConvPart.from_npz(z) if "conv_kernel" in z.files else None
            return cls(vocab, z["groups"], z["idf"], z["weights"].astype(np.float64),
                       z["bias"], float(z["temperature"]), pieces, piece_weights, conv)

    @property
    def has_pieces(self) -> bool:
        return bool(self.piece_index)

    def piece_ids(self, p: Parsed) -> list[int]:
        """Return the word-piece ids of the text's non-numeric tokens (with repeats)."""
        if not self.piece_index:
            return []
        cache = self._piece_cache
        out: list[int] = []
        for tok in p.tokens:
            if tok[0].isdigit():
                continue
            hit = cache.get(tok)
            if hit is None:  # (-1: unknown, in a piece list without [UNK]: left out)
                hit = tuple(j for j in wordpieces(tok, self.piece_index, self._unknown,
                                                    self._longest_piece)
                            if j >= 0)
                if len(cache) > _CACHE_LIMIT:
                    cache.clear()
                cache[tok] = hit
            out.extend(hit)
        return out

    def _form_rows(self, form: str) -> tuple[int, ...]:
        # the rows one word form brings whatever its context: its unigram and, for a word,
        # its character n-grams (cached: headlines reuse a small vocabulary)
        hit = self._form_cache.get(form)
        if hit is None:
            index = self.index
            grams = char_ngrams(form) if form[0].isalpha() else []
            keys = ["w" + form] + ["c" + g for g in grams]
            hit = tuple(j for k in keys if (j := index.get(k, -1)) >= 0)
            if len(self._form_cache) > _CACHE_LIMIT:
                self._form_cache.clear()
            self._form_cache[form] = hit
        return hit

    def indices(self, p: Parsed, extra: Iterable[str] = ()) -> list[int]:
        """Return the feature rows of a parsed text (plus extra ``t`` features).

        A row may repeat (two words share a character n-gram, a bigram repeats): the scorer
        counts each distinct row once, which is cheaper there than a set union here.
        """
        get = self.index.get
        rows = self._form_rows
        out: list[int] = []
        for f in set(p.forms):
            out += rows(f)
        out += [j for f in context_features(p) if (j := get("w" + f, -1)) >= 0]
        out += [j for f in lexicon_features(p) if (j := get("x" + f, -1)) >= 0]
        if extra:
            out += [j for f in extra if (j := get("t" + f, -1)) >= 0]
        return out

    def proba(self, rows: Sequence[Sequence[int]],
              pieces: Sequence[Sequence[int]] | None = None) -> np.ndarray:
        """Return class probabilities (n, 3) for documents given as feature rows (repeats
        count once; see :meth:`indices`) and, for a model with word pieces, the documents'
        word-piece ids."""
        n = len(rows)
        lengths = np.fromiter(map(len, rows), dtype=np.int64, count=n)
        flat = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=int(lengths.sum()))
        if pieces is None or not self.piece_index:
            p_lengths = np.zeros(n, dtype=np.int64)
            p_flat = np.zeros(0, dtype=np.int64)
        else:
            p_lengths = np.fromiter(map(len, pieces), dtype=np.int64, count=n)
            p_flat = np.fromiter(chain.from_iterable(pieces), dtype=np.int64,
                                 count=int(p_lengths.sum()))
        logits = _linear_scores(flat, lengths, self._table, self.groups, self.n_groups,
                                self.bias, p_flat, p_lengths, self.piece_table)
        if self.conv is not None:
            logits += self.conv.scores(p_flat, p_lengths)
        logits /= self.temperature
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        logits /= logits.sum(axis=1, keepdims=True)
        return logits


class ConvPart:
    """A small convolutional network over a text's word pieces, distilled from a fine-tuned
    transformer (see ``scripts/train_sentiment.py``): width-3 convolution over piece
    embeddings, ReLU, max over positions, a linear map to class scores. It sees word order
    and word combinations, which the bag of features cannot; its mean-embedding branch is
    linear and ships folded into the model's ``piece_weights``.

    The convolution is linear in the embeddings, so each piece's three projections (as left
    neighbour, centre, right neighbour) are computed once at load: the run-time cost is
    3 × filters additions per piece, no matrix products.
    """

    def __init__(self, rows: np.ndarray, emb: np.ndarray, kernel: np.ndarray,
                 bias: np.ndarray, out: np.ndarray) -> None:
        # rows: piece id -> row of emb (row 0: the pieces training never saw)
        self.rows = np.asarray(rows, dtype=np.int64)
        emb = np.asarray(emb, dtype=np.float32)
        # kernel (3, dim, filters): the table holds each row's projection per conv position,
        # [row, position, filter], as one matrix product
        n_pos, dim, n_filters = kernel.shape
        flat = np.asarray(kernel, dtype=np.float32).transpose(1, 0, 2).reshape(dim, -1)
        self.table = (emb @ flat).reshape(len(emb), n_pos, n_filters)
        self.bias = np.asarray(bias, dtype=np.float32)
        self.out = np.asarray(out, dtype=np.float64)

    @classmethod
    def from_npz(cls, z: np.lib.npyio.NpzFile) -> ConvPart:
        return cls(z["conv_rows"], z["conv_emb"], z["conv_kernel"].astype(np.float32),
                   z["conv_bias"], z["conv_out"])

    def scores(self, p_flat: np.ndarray, p_lengths: np.ndarray) -> np.ndarray:
        """Class scores (n, classes) of documents given as concatenated piece ids."""
        return _conv_scores(self.rows[p_flat], p_lengths, self.table, self.bias, self.out)


@numba.njit(cache=True, nogil=True)
def _conv_scores(p_rows: np.ndarray, p_lengths: np.ndarray, table: np.ndarray,
                 bias: np.ndarray, out_w: np.ndarray) -> np.ndarray:
    # position t sees rows t-1, t, t+1 (zero past either end); a document without pieces
    # scores 0, as in training
    n, n_filters, n_classes = p_lengths.shape[0], bias.shape[0], out_w.shape[1]
    out = np.zeros((n, n_classes))
    pooled = np.empty(n_filters, dtype=np.float32)
    start = 0
    for d in range(n):
        stop = start + p_lengths[d]
        if stop > start:
            pooled[:] = 0.0  # ReLU outputs are >= 0, so the max starts at 0
            for t in range(start, stop):
                mid = p_rows[t]
                left = p_rows[t - 1] if t > start else -1
                right = p_rows[t + 1] if t + 1 < stop else -1
                for f in range(n_filters):
                    v = bias[f] + table[mid, 1, f]
                    if left >= 0:
                        v += table[left, 0, f]
                    if right >= 0:
                        v += table[right, 2, f]
                    if v > pooled[f]:
                        pooled[f] = v
            for f in range(n_filters):
                for k in range(n_classes):
                    out[d, k] += pooled[f] * out_w[f, k]
        start = stop
    return out


@numba.njit(cache=True, nogil=True)
def _linear_scores(flat: np.ndarray, lengths: np.ndarray, table: np.ndarray,
                   groups: np.ndarray, n_groups: int, bias: np.ndarray, p_flat: np.ndarray,
                   p_lengths: np.ndarray, p_table: np.ndarray) -> np.ndarray:
    # table columns: idf², then idf·weight per class; a document is, per group, the unit
    # vector of its features' idf values, so its scores are Σ idf·w / ‖idf‖ per group + bias;
    # plus the mean of its word pieces' score rows (the folded dense embedding part)
    n, n_classes = lengths.shape[0], table.shape[1] - 1
    out = np.empty((n, n_classes))
    norms = np.empty(n_groups)
    # a document's vector is binary: a repeated feature row counts once (the stamp of a row
    # is the last document that counted it)
    stamp = np.full(table.shape[0], -1, dtype=np.int64)
    rows = np.empty(lengths.max() if n else 0, dtype=np.int64)
    start = 0
    for d in range(n):
        stop = start + lengths[d]
        m = 0
        norms[:] = 0.0
        for i in range(start, stop):
            j = flat[i]
            if stamp[j] != d:
                stamp[j] = d
                rows[m] = j
                m += 1
                norms[groups[j]] += table[j, 0]
        for g in range(n_groups):
            norms[g] = np.sqrt(norms[g]) if norms[g] > 0.0 else 1.0
        for k in range(n_classes):
            out[d, k] = bias[k]
        for i in range(m):
            j = rows[i]
            inv = 1.0 / norms[groups[j]]
            for k in range(n_classes):
                out[d, k] += table[j, k + 1] * inv
        start = stop
    p_start = 0
    for d in range(n):
        p_stop = p_start + p_lengths[d]
        if p_stop > p_start:
            inv = 1.0 / (p_stop - p_start)
            for i in range(p_start, p_stop):
                j = p_flat[i]
                for k in range(n_classes):
                    out[d, k] += p_table[j, k] * inv
        p_start = p_stop
    return out
