#!/usr/bin/env python3
"""Helpers of scripts/load.sh (issue 15, "Load"); standard library only.

  load.py samples N FILE            HumanEval canonical and broken solutions, repeated, N rows
  load.py models K DIR              K samples files of 164 rows, one per made-up model
  load.py peak CMD...               run CMD; print its wall time, evalrun's own peak RSS (VmHWM)
                                    and the peak RSS of its whole process tree (sandbox workers)
  load.py browser URL...            open each page in headless Chromium (chromedriver, W3C
                                    WebDriver over HTTP) and print load time, and the time a
                                    filter and a sort take on the pages that have them
"""
import json, os, subprocess, sys, time, urllib.request, hashlib, socket

SUITE = os.path.join(os.path.dirname(__file__), "..", "tasks", "suites", "humaneval.jsonl")


def tasks():
    with open(SUITE) as f:
        return [json.loads(line) for line in f if line.strip()]


def broken(task):
    # A body that runs and returns the wrong thing: judged as fast as a right one.
    return "    return None\n"


def samples(n, path):
    ts = tasks()
    with open(path, "w") as f:
        for i in range(n):
            t = ts[i % len(ts)]
            completion = t["reference"] if (i // len(ts)) % 2 == 0 else broken(t)
            f.write(json.dumps({"task_id": t["id"], "completion": completion}) + "\n")


def models(k, out):
    ts = tasks()
    os.makedirs(out, exist_ok=True)
    for m in range(1, k + 1):
        with open(os.path.join(out, f"model-{m:02}.jsonl"), "w") as f:
            for i, t in enumerate(ts):
                # Model m gets about m/k of the tasks wrong, each model different ones.
                h = int(hashlib.sha256(f"{m}/{i}".encode()).hexdigest(), 16) % k
                completion = broken(t) if h < m else t["reference"]
                f.write(json.dumps({"task_id": t["id"], "completion": completion}) + "\n")


def tree_rss_kb(root):
    children = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(pid))
        except (OSError, IndexError, ValueError):
            pass
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        total += status_kb(pid, "VmRSS") or 0
    return total


def status_kb(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def peak(cmd):
    started = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    hwm, tree, polls = 0, 0, 0
    while p.poll() is None:
        hwm = max(hwm, status_kb(p.pid, "VmHWM") or 0)
        if polls % 5 == 0:
            tree = max(tree, tree_rss_kb(p.pid))
        polls += 1
        time.sleep(0.02)
    wall = time.monotonic() - started
    if p.returncode != 0:
        sys.exit(f"{cmd} failed: exit {p.returncode}")
    print(json.dumps({"wall_s": round(wall, 2), "evalrun_peak_rss_mib": round(hwm / 1024, 1),
                      "tree_peak_rss_mib": round(tree / 1024, 1)}))


def webdriver(method, url, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read())["value"]


def browser(urls):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    driver = subprocess.Popen(["chromedriver", f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                webdriver("GET", base + "/status")
                break
            except OSError:
                time.sleep(0.1)
        caps = {"capabilities": {"alwaysMatch": {"goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--window-size=1400,1000"]}}}}
        session = webdriver("POST", base + "/session", caps)["sessionId"]
        s = f"{base}/session/{session}"
        for url in urls:
            webdriver("POST", s + "/url", {"url": url})
            timing = webdriver("POST", s + "/execute/sync", {"script": """
                const n = performance.getEntriesByType('navigation')[0];
                const out = {load_ms: Math.round(n.loadEventEnd), rows: document.querySelectorAll('tr, details').length};
                const status = document.getElementById('status');
                if (status && status.options.length > 1) {
                  const t = performance.now();
                  status.value = status.options[1].value;
                  status.dispatchEvent(new Event('change'));
                  document.body.offsetHeight;  // the layout the filter causes
                  out.filter_ms = Math.round(performance.now() - t);
                  status.value = '';
                  status.dispatchEvent(new Event('change'));
                }
                const sort = document.querySelector('thead button');
                if (sort) {
                  const t = performance.now();
                  sort.click();
                  document.body.offsetHeight;
                  out.sort_ms = Math.round(performance.now() - t);
                }
                return out;""", "args": []})
            print(json.dumps({"page": url.rsplit("/", 1)[-1], **timing}))
        webdriver("DELETE", s)
    finally:
        driver.terminate()
        driver.wait()


if __name__ == "__main__":
    what, args = sys.argv[1], sys.argv[2:]
    if what == "samples":
        samples(int(args[0]), args[1])
    elif what == "models":
        models(int(args[0]), args[1])
    elif what == "peak":
        peak(args)
    elif what == "browser":
        browser(args)
    else:
        sys.exit(__doc__)
