"""A course grade book: weighted assessment categories, dropping each student's lowest score
in a category, late penalties, letter grades with +/- boundaries, and class statistics."""

LETTERS = [(93, "A"), (90, "A-"), (87, "B+"), (83, "B"), (80, "B-"), (77, "C+"), (73, "C"), (70, "C-"),
           (67, "D+"), (60, "D"), (0, "F")]


class GradeBook:
    def __init__(self, weights, drop_lowest=None, late_penalty=10):
        """`weights` maps category to a weight; weights must add up to 100. `drop_lowest` maps
        a category to how many of each student's lowest scores in it are ignored."""
        if abs(sum(weights.values()) - 100) > 1e-9:
            raise ValueError("weights must add up to 100")
        if any(w < 0 for w in weights.values()):
            raise ValueError("weights cannot be negative")
        self.weights = dict(weights)
        self.drop_lowest = dict(drop_lowest or {})
        self.late_penalty = late_penalty  # percentage points per day late
        self.scores = {}  # student -> category -> [percent]

    def record(self, student, category, points, out_of, days_late=0):
        if category not in self.weights:
            raise KeyError(f"unknown category {category!r}")
        if out_of <= 0 or not 0 <= points <= out_of:
            raise ValueError("points must be between 0 and out_of")
        if days_late < 0:
            raise ValueError("days_late cannot be negative")
        percent = 100 * points / out_of - self.late_penalty * days_late
        self.scores.setdefault(student, {}).setdefault(category, []).append(max(0.0, percent))

    def category_average(self, student, category):
        """Mean percent in a category after dropping the lowest scores; None without scores."""
        scores = sorted(self.scores.get(student, {}).get(category, []))
        drop = self.drop_lowest.get(category, 0)
        if len(scores) > drop:
            scores = scores[drop:]
        if not scores:
            return None
        return sum(scores) / len(scores)

    def final_percent(self, student):
        """Weighted average over the categories that have scores, re-normalised to their
        weights; None when the student has no scores."""
        total = weight = 0.0
        for category, w in self.weights.items():
            avg = self.category_average(student, category)
            if avg is not None:
                total += avg * w
                weight += w
        if weight == 0:
            return None
        return round(total / weight, 2)

    def letter(self, student):
        percent = self.final_percent(student)
        if percent is None:
            return None
        for threshold, letter in LETTERS:
            if percent >= threshold:
                return letter
        return "F"

    def ranking(self):
        """Students by final percent, best first; ties by name."""
        graded = [(s, self.final_percent(s)) for s in self.scores]
        graded = [(s, p) for s, p in graded if p is not None]
        return [s for s, _ in sorted(graded, key=lambda sp: (-sp[1], sp[0]))]

    def class_summary(self):
        percents = [p for p in (self.final_percent(s) for s in self.scores) if p is not None]
        if not percents:
            return {"students": 0, "mean": None, "highest": None, "lowest": None, "passing": 0}
        return {
            "students": len(percents),
            "mean": round(sum(percents) / len(percents), 2),
            "highest": max(percents),
            "lowest": min(percents),
            "passing": sum(1 for p in percents if p >= 60),
        }
