// The task × entry matrix: a row per task, a column per entry; filters hide rows, a header's
// button sorts by its column (a second click reverses).
(function () {
  const entries = DATA.entries, tasks = DATA.tasks, outcomes = DATA.outcomes;
  const table = document.getElementById("matrix");
  const shown = document.getElementById("shown");
  const filters = {
    suite: document.getElementById("suite"),
    language: document.getElementById("language"),
    status: document.getElementById("status"),
  };
  const search = document.getElementById("search");

  // Per task: entries that ran it, solved it (every sample passed), passed no sample, and
  // the statuses they ended with.
  const facts = tasks.map(function (t, i) {
    let ran = 0, solved = 0, none = 0;
    const statuses = new Set();
    outcomes.forEach(function (row) {
      const o = row[i];
      if (!o) return;
      ran += 1;
      if (o.passed === o.samples) solved += 1;
      if (o.passed === 0) none += 1;
      statuses.add(o.status);
    });
    const state = solved === ran ? "all" : none === ran ? "none" : "mixed";
    return { ran: ran, solved: solved, state: state, statuses: statuses };
  });

  fillSelect(filters.suite, distinct(tasks.map(function (t) { return t.suite; })));
  fillSelect(filters.language, distinct(tasks.map(function (t) { return t.language; })));
  const failing = distinct([].concat.apply([], facts.map(function (f) { return Array.from(f.statuses); })))
    .filter(function (s) { return s !== "passed"; });
  fillSelect(filters.status, failing.map(function (s) { return "status:" + s; }),
    function (v) { return "some entry ended " + v.slice(7).replace(/_/g, " "); });

  // Columns: [header, numeric, key of task i (null: missing, sorts last)].
  const columns = [
    ["Task", false, function (i) { return i; }, true],
    ["Suite", false, function (i) { return tasks[i].suite; }],
    ["Language", false, function (i) { return tasks[i].language; }],
    ["Solved by", true, function (i) { return facts[i].ran ? facts[i].solved / facts[i].ran : null; }],
  ];
  entries.forEach(function (e, k) {
    columns.push([e.label, true, function (i) {
      const o = outcomes[k][i];
      return o ? o.passed / o.samples : null;
    }, false, e]);
  });

  const headRow = table.tHead.rows[0];
  columns.forEach(function (c, column) {
    const th = el("th");
    th.scope = "col";
    const button = el("button", "", c[0]);
    button.type = "button";
    th.append(button);
    if (c[4]) {
      th.className = "entry";
      th.title = c[4].label + " (run " + c[4].run + ", group " + c[4].group + ", rank " + c[4].rank + ")";
      const link = el("a", "page", "page");
      link.href = c[4].file;
      th.append(el("br"), link);
    }
    button.addEventListener("click", function () { sortBy(column, th); });
    headRow.append(th);
  });

  const body = table.tBodies[0];
  const rows = tasks.map(function (t, i) {
    const tr = el("tr");
    tr.dataset.task = t.task_id;
    tr.append(el("td", "id", t.task_id), el("td", "", t.suite), el("td", "", t.language),
      el("td", "num", facts[i].solved + "/" + facts[i].ran));
    entries.forEach(function (e, k) {
      const o = outcomes[k][i];
      if (!o) {
        tr.append(el("td", "cell none", "·"));
        return;
      }
      const state = o.passed === o.samples ? "pass" : o.passed === 0 ? "fail" : "partial";
      const td = el("td", "cell " + state + " " + statusClass(o.status));
      const link = el("a", "", state === "pass" ? (o.samples > 1 ? "✓ " + fraction(o) : "✓")
        : state === "fail" ? (o.samples > 1 ? "✗ " + fraction(o) : "✗") : fraction(o));
      link.href = e.file + "#task=" + encodeURIComponent(t.task_id);
      link.title = e.label + " · " + t.task_id + ": " + o.status.replace(/_/g, " ") + (o.detail ? " · " + o.detail : "");
      td.append(link);
      tr.append(td);
    });
    return { index: i, node: tr };
  });
  const fragment = document.createDocumentFragment();
  rows.forEach(function (r) { fragment.append(r.node); });
  body.append(fragment);

  function sortBy(column, th) {
    const c = columns[column];
    const current = th.getAttribute("aria-sort");
    const ascending = current ? current === "descending" : !c[1];
    rows.sort(function (a, b) {
      const x = c[2](a.index), y = c[2](b.index);
      if (x === null || y === null) return (x === null) - (y === null) || a.index - b.index;
      const order = c[1] || c[3] ? x - y : String(x).localeCompare(String(y));
      return (ascending ? order : -order) || a.index - b.index;
    });
    const fragment = document.createDocumentFragment();
    rows.forEach(function (r) { fragment.append(r.node); });
    body.append(fragment);
    Array.from(headRow.cells).forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  function apply() {
    const needle = search.value.trim().toLowerCase();
    const status = filters.status.value;
    let count = 0;
    rows.forEach(function (r) {
      const t = tasks[r.index], f = facts[r.index];
      const visible = (!filters.suite.value || t.suite === filters.suite.value) &&
        (!filters.language.value || t.language === filters.language.value) &&
        (!status || (status.indexOf("status:") === 0 ? f.statuses.has(status.slice(7)) : f.state === status)) &&
        (!needle || t.task_id.toLowerCase().indexOf(needle) >= 0);
      r.node.hidden = !visible;
      if (visible) count += 1;
    });
    showCount(shown, count, rows.length, "task");
  }
  Object.keys(filters).forEach(function (k) { filters[k].addEventListener("change", apply); });
  search.addEventListener("input", apply);
  apply();
})();
