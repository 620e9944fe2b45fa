import pytest

from grade_book import GradeBook


def book(**kwargs):
    return GradeBook({"homework": 40, "exam": 60}, **kwargs)


def test_weights_validation():
    with pytest.raises(ValueError, match="add up to 100"):
        GradeBook({"a": 50, "b": 40})
    with pytest.raises(ValueError, match="negative"):
        GradeBook({"a": 110, "b": -10})
    GradeBook({"a": 33.3, "b": 66.7})


def test_record_validation():
    b = book()
    with pytest.raises(KeyError):
        b.record("ann", "quiz", 5, 10)
    for points, out_of in [(11, 10), (-1, 10), (1, 0), (0, 0)]:
        with pytest.raises(ValueError):
            b.record("ann", "exam", points, out_of)
    with pytest.raises(ValueError):
        b.record("ann", "exam", 5, 10, days_late=-1)
    b.record("ann", "exam", 0, 10)
    b.record("ann", "exam", 10, 10)
    assert b.scores["ann"]["exam"] == [0.0, 100.0]


def test_late_penalty():
    b = book(late_penalty=5)
    b.record("ann", "homework", 9, 10, days_late=2)
    b.record("ann", "homework", 1, 10, days_late=3)
    assert b.scores["ann"]["homework"] == [80.0, 0.0]
    assert book().late_penalty == 10


def test_category_average_and_drop_lowest():
    b = book(drop_lowest={"homework": 1})
    for pts in (50, 100, 80):
        b.record("ann", "homework", pts, 100)
    assert b.category_average("ann", "homework") == 90
    assert b.category_average("ann", "exam") is None
    assert b.category_average("bob", "exam") is None
    single = book(drop_lowest={"homework": 1})
    single.record("ann", "homework", 40, 100)
    assert single.category_average("ann", "homework") == 40


def test_final_percent_weights_and_renormalises():
    b = book()
    b.record("ann", "homework", 100, 100)
    b.record("ann", "exam", 50, 100)
    assert b.final_percent("ann") == 70.0
    b.record("bob", "exam", 73, 100)
    assert b.final_percent("bob") == 73.0
    assert b.final_percent("nobody") is None
    b.record("cy", "homework", 2, 3)
    assert b.final_percent("cy") == 66.67


@pytest.mark.parametrize(
    "percent,letter",
    [(100, "A"), (93, "A"), (92.99, "A-"), (90, "A-"), (89, "B+"), (87, "B+"), (85, "B"), (83, "B"), (82, "B-"),
     (80, "B-"), (78, "C+"), (77, "C+"), (75, "C"), (73, "C"), (71, "C-"), (70, "C-"), (68, "D+"), (67, "D+"),
     (65, "D"), (60, "D"), (59.99, "F"), (0, "F")],
)
def test_letters(percent, letter):
    b = GradeBook({"all": 100})
    b.record("s", "all", percent, 100)
    assert b.letter("s") == letter


def test_letter_without_scores():
    assert book().letter("ghost") is None


def test_ranking():
    b = book()
    b.record("cy", "exam", 70, 100)
    b.record("ann", "exam", 90, 100)
    b.record("bob", "exam", 70, 100)
    assert b.ranking() == ["ann", "bob", "cy"]
    assert book().ranking() == []


def test_class_summary():
    b = book()
    assert b.class_summary() == {"students": 0, "mean": None, "highest": None, "lowest": None, "passing": 0}
    b.record("a", "exam", 90, 100)
    b.record("b", "exam", 60, 100)
    b.record("c", "exam", 45, 100)
    assert b.class_summary() == {"students": 3, "mean": 65.0, "highest": 90.0, "lowest": 45.0, "passing": 2}


def test_drop_lowest_default_is_nothing():
    b = book()
    b.record("a", "homework", 0, 10)
    b.record("a", "homework", 10, 10)
    assert b.category_average("a", "homework") == 50
