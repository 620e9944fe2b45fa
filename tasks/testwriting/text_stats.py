"""Statistics of English prose: words, sentences, syllables (heuristic), word frequencies,
and the Flesch reading-ease score."""

import re
from collections import Counter

WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*")
SENTENCE_END = re.compile(r"[.!?]+")
STOPWORDS = frozenset("a an and are as at be by for from in is it of on or that the to was with".split())


def words(text):
    """Words in order, lower-cased; apostrophes inside words are kept (`don't`)."""
    return [w.lower() for w in WORD.findall(text)]


def sentences(text):
    """Sentences: text between runs of `.`, `!` or `?`, stripped; empty pieces dropped."""
    return [s.strip() for s in SENTENCE_END.split(text) if s.strip()]


def syllables(word):
    """Vowel groups, minus a silent final `e`, at least one."""
    word = word.lower()
    groups = re.findall(r"[aeiouy]+", word)
    count = len(groups)
    if word.endswith("e") and not word.endswith(("le", "ee")) and count > 1:
        count -= 1
    return max(1, count)


def top_words(text, n=3, skip_stopwords=True):
    """The `n` most frequent words as (word, count), ties broken alphabetically."""
    counts = Counter(w for w in words(text) if not (skip_stopwords and w in STOPWORDS))
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:n]


def flesch_reading_ease(text):
    ws = words(text)
    ss = sentences(text)
    if not ws or not ss:
        raise ValueError("text has no words or no sentences")
    total_syllables = sum(syllables(w) for w in ws)
    score = 206.835 - 1.015 * (len(ws) / len(ss)) - 84.6 * (total_syllables / len(ws))
    return round(score, 1)


def reading_level(score):
    if score >= 90:
        return "very easy"
    if score >= 70:
        return "easy"
    if score >= 50:
        return "standard"
    if score >= 30:
        return "difficult"
    return "very difficult"


def summary(text):
    ws = words(text)
    return {
        "words": len(ws),
        "unique_words": len(set(ws)),
        "sentences": len(sentences(text)),
        "average_word_length": round(sum(map(len, ws)) / len(ws), 2) if ws else 0.0,
        "longest_word": max(ws, key=len) if ws else None,
    }
