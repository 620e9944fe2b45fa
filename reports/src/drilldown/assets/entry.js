// An entry's page: a line per task, filterable; a task's prompt and samples are built when it
// is first opened, so that thousands of samples load at once.
(function () {
  const tasks = DATA.tasks;
  const list = document.getElementById("tasks");
  const filters = {
    status: document.getElementById("status"),
    suite: document.getElementById("suite"),
    language: document.getElementById("language"),
  };
  const search = document.getElementById("search");
  const shown = document.getElementById("shown");
  fillSelect(filters.status, distinct(tasks.map(function (t) { return t.status; })));
  fillSelect(filters.suite, distinct(tasks.map(function (t) { return t.suite; })));
  fillSelect(filters.language, distinct(tasks.map(function (t) { return t.language; })));

  function seconds(v) { return v < 1 ? (v * 1000).toFixed(0) + " ms" : v.toFixed(2) + " s"; }

  function figures(s) {
    const parts = ["executed in " + seconds(s.exec_s)];
    const g = s.generation;
    if (g) {
      parts.push(g.prompt_tokens + " prompt tokens", g.generated_tokens + " generated tokens",
        g.gen_tokens_per_s.toFixed(1) + " tokens/s", "time to first token " + seconds(g.ttft_s),
        "latency " + seconds(g.total_s));
      if (g.peak_rss_bytes) parts.push("peak RSS " + (g.peak_rss_bytes / 1048576).toFixed(0) + " MiB");
    }
    if (s.finish) parts.push("generation ended: " + s.finish.replace(/_/g, " "));
    return parts.join(" · ");
  }

  function block(label, text, className) {
    const wrap = el("div", "block");
    wrap.append(el("div", "label", label), el("pre", className, text));
    return wrap;
  }

  function sampleView(s) {
    const section = el("section", "sample");
    const title = el("h3", "", "Sample " + s.sample + " ");
    title.append(badge(s.status));
    if (s.exception) title.append(el("span", "exception", s.exception));
    section.append(title, el("p", "figures", figures(s)));
    if (s.generation_error) section.append(block("Generation failed", s.generation_error, "detail"));
    if (s.detail) section.append(block("Verdict detail", s.detail, "detail"));
    section.append(block("Extracted code (what ran)", s.code, "code"));
    if (s.raw !== null && s.raw !== undefined) {
      const raw = el("details", "raw");
      raw.append(el("summary", "", "The model's whole answer (before extraction)"), el("pre", "answer", s.raw));
      section.append(raw);
    }
    const metrics = Object.keys(s.metrics || {});
    if (metrics.length) {
      section.append(el("p", "figures", metrics.map(function (k) {
        const v = s.metrics[k];
        return k.replace(/_/g, " ") + " " + (/(coverage|score)$/.test(k) ? pct(v) : String(v));
      }).join(" · ")));
    }
    return section;
  }

  function body(t) {
    const div = el("div", "body");
    if (t.prompt) {
      const prompt = el("details", "prompt");
      prompt.append(el("summary", "", "Prompt"));
      t.prompt.forEach(function (part) { prompt.append(el("div", "label", part.role), el("pre", "prompt-text", part.text)); });
      div.append(prompt);
    } else {
      div.append(el("p", "note", "The prompt is not shown: this task is not in the corpus of the evalrun that wrote the report."));
    }
    t.rows.forEach(function (s) { div.append(sampleView(s)); });
    return div;
  }

  const rows = tasks.map(function (t) {
    const details = el("details", "task");
    details.id = "task=" + t.task_id;
    const summary = el("summary");
    summary.append(el("span", "id", t.task_id), badge(t.status), el("span", "frac", fraction(t)),
      el("span", "meta", [t.suite, t.language, t.kind === "code" ? "" : t.kind].filter(Boolean).join(" · ")),
      el("span", "detail-line", firstLine(t.detail, 160)));
    details.append(summary);
    details.addEventListener("toggle", function () {
      if (details.open && !details.dataset.rendered) {
        details.dataset.rendered = "1";
        details.append(body(t));
      }
    });
    return { task: t, node: details };
  });
  const fragment = document.createDocumentFragment();
  rows.forEach(function (r) { fragment.append(r.node); });
  list.append(fragment);

  function apply() {
    const needle = search.value.trim().toLowerCase();
    let count = 0;
    rows.forEach(function (r) {
      const t = r.task;
      const visible = (!filters.status.value || t.status === filters.status.value) &&
        (!filters.suite.value || t.suite === filters.suite.value) &&
        (!filters.language.value || t.language === filters.language.value) &&
        (!needle || t.task_id.toLowerCase().indexOf(needle) >= 0);
      r.node.hidden = !visible;
      if (visible) count += 1;
    });
    showCount(shown, count, rows.length, "task");
  }
  Object.keys(filters).forEach(function (k) { filters[k].addEventListener("change", apply); });
  search.addEventListener("input", apply);
  apply();

  // #task=ID opens that task (the matrix and the side-by-side page link so).
  function openFromHash() {
    const id = hashParams().get("task");
    if (!id) return;
    const node = document.getElementById("task=" + id);
    if (!node) return;
    if (node.hidden) {
      Object.keys(filters).forEach(function (k) { filters[k].value = ""; });
      search.value = "";
      apply();
    }
    node.open = true;
    node.scrollIntoView();
  }
  window.addEventListener("hashchange", openFromHash);
  openFromHash();
})();
