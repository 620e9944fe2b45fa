import pytest

from text_stats import flesch_reading_ease, reading_level, sentences, summary, syllables, top_words, words


def test_words():
    assert words("Don't stop, it's 9 o'clock!") == ["don't", "stop", "it's", "o'clock"]
    assert words("Hello, HELLO hello") == ["hello", "hello", "hello"]
    assert words("rock'n'roll 'quoted'") == ["rock'n'roll", "quoted"]
    assert words("") == []


def test_sentences():
    assert sentences("One. Two! Three?") == ["One", "Two", "Three"]
    assert sentences("Wait... what?!  Yes") == ["Wait", "what", "Yes"]
    assert sentences("  ") == []
    assert sentences("No end") == ["No end"]


@pytest.mark.parametrize(
    "word,count",
    [("cat", 1), ("table", 2), ("make", 1), ("free", 1), ("rhythm", 1), ("beautiful", 3),
     ("the", 1), ("queue", 1), ("remote", 2), ("yellow", 2), ("be", 1), ("Apple", 2), ("hmm", 1)],
)
def test_syllables(word, count):
    assert syllables(word) == count


def test_top_words():
    text = "The cat and the hat. The cat sat on a mat with a hat and a bat."
    assert top_words(text) == [("cat", 2), ("hat", 2), ("bat", 1)]
    assert top_words(text, n=1) == [("cat", 2)]
    assert top_words(text, n=2, skip_stopwords=False) == [("a", 3), ("the", 3)]
    assert top_words("") == []


def test_flesch_reading_ease():
    assert flesch_reading_ease("The cat sat on the mat.") == 116.1
    text = "Furthermore, comprehensive evaluation necessitates considerable deliberation."
    assert flesch_reading_ease(text) < 0
    assert flesch_reading_ease("I ran. You ran.") == pytest.approx(120.2)
    with pytest.raises(ValueError):
        flesch_reading_ease("")
    with pytest.raises(ValueError):
        flesch_reading_ease("...")
    with pytest.raises(ValueError):
        flesch_reading_ease("42. 7!")


@pytest.mark.parametrize(
    "score,level",
    [(95, "very easy"), (90, "very easy"), (89.9, "easy"), (70, "easy"), (69, "standard"), (50, "standard"),
     (49.9, "difficult"), (30, "difficult"), (29.9, "very difficult"), (-10, "very difficult")],
)
def test_reading_level(score, level):
    assert reading_level(score) == level


def test_summary():
    s = summary("The quick brown fox. The lazy dog!")
    assert s == {"words": 7, "unique_words": 6, "sentences": 2, "average_word_length": 3.71, "longest_word": "quick"}
    assert summary("") == {"words": 0, "unique_words": 0, "sentences": 0, "average_word_length": 0.0, "longest_word": None}
