// Two entries side by side, on the tasks both ran where their pass rates differ. The pair is
// chosen in the page and kept in the address (#a=<entry>&b=<entry>).
(function () {
  const entries = DATA.entries, tasks = DATA.tasks, outcomes = DATA.outcomes;
  const pick = { a: document.getElementById("a"), b: document.getElementById("b") };
  const summary = document.getElementById("summary");
  const body = document.getElementById("disagreements").tBodies[0];
  const shown = document.getElementById("shown");

  function stem(e) { return e.file.replace(/^entries\//, "").replace(/\.html$/, ""); }
  entries.forEach(function (e, i) {
    pick.a.append(new Option(e.label, String(i)));
    pick.b.append(new Option(e.label, String(i)));
  });
  function fromHash() {
    const params = hashParams();
    const find = function (key, fallback) {
      const i = entries.findIndex(function (e) { return stem(e) === params.get(key); });
      return i >= 0 ? i : fallback;
    };
    const a = find("a", 0);
    pick.a.value = String(a);
    pick.b.value = String(find("b", entries.length > 1 ? (a === 0 ? 1 : 0) : 0));
  }

  function side(o) {
    const td = el("td", "side");
    td.append(badge(o.status), el("span", "frac", fraction(o)));
    if (o.detail) td.append(el("div", "detail-line", firstLine(o.detail, 160)));
    return td;
  }

  function codeView(e, t, o) {
    const div = el("div", "half");
    const link = el("a", "", e.label + ", sample " + o.sample);
    link.href = e.file + "#task=" + encodeURIComponent(t.task_id);
    div.append(link, badge(o.status));
    if (o.detail) div.append(el("div", "label", "Verdict detail"), el("pre", "detail", o.detail));
    div.append(el("div", "label", "Extracted code"), el("pre", "code", o.code || ""));
    return div;
  }

  function render() {
    const a = Number(pick.a.value), b = Number(pick.b.value);
    const ea = entries[a], eb = entries[b];
    history.replaceState(null, "", "#a=" + encodeURIComponent(stem(ea)) + "&b=" + encodeURIComponent(stem(eb)));
    body.replaceChildren();
    if (a === b) {
      summary.textContent = "Choose two different entries.";
      showCount(shown, 0, 0, "task");
      return;
    }
    let both = 0, onlyOne = 0, betterA = 0, betterB = 0;
    const fragment = document.createDocumentFragment();
    tasks.forEach(function (t, i) {
      const oa = outcomes[a][i], ob = outcomes[b][i];
      if (!oa && !ob) return;
      if (!oa || !ob) { onlyOne += 1; return; }
      both += 1;
      const ra = oa.passed / oa.samples, rb = ob.passed / ob.samples;
      if (ra === rb) return;
      if (ra > rb) betterA += 1; else betterB += 1;
      const tr = el("tr", "task");
      tr.dataset.task = t.task_id;
      const id = el("td", "id");
      const toggle = el("button", "toggle", "▸ " + t.task_id);
      toggle.type = "button";
      id.append(toggle);
      tr.append(id, el("td", "", t.suite), el("td", "", t.language), side(oa), side(ob),
        el("td", "better", ra > rb ? "A" : "B"));
      let open = null;
      toggle.addEventListener("click", function () {
        if (open) {
          open.remove();
          open = null;
          toggle.textContent = "▸ " + t.task_id;
          return;
        }
        open = el("tr", "code-row");
        const td = el("td");
        td.colSpan = 6;
        const pair = el("div", "pair");
        pair.append(codeView(ea, t, oa), codeView(eb, t, ob));
        td.append(pair);
        open.append(td);
        tr.after(open);
        toggle.textContent = "▾ " + t.task_id;
      });
      fragment.append(tr);
    });
    body.append(fragment);
    summary.textContent = "A: " + ea.label + " · B: " + eb.label + ". Both ran " + both + " task" +
      (both === 1 ? "" : "s") + "; they disagree on " + (betterA + betterB) + ": A does better on " + betterA +
      ", B on " + betterB + "." + (onlyOne ? " " + onlyOne + " task" + (onlyOne === 1 ? "" : "s") +
      " only one of them ran " + (onlyOne === 1 ? "is" : "are") + " not compared." : "");
    showCount(shown, betterA + betterB, both, "common task");
  }

  document.getElementById("swap").addEventListener("click", function () {
    const a = pick.a.value;
    pick.a.value = pick.b.value;
    pick.b.value = a;
    render();
  });
  pick.a.addEventListener("change", render);
  pick.b.addEventListener("change", render);
  window.addEventListener("hashchange", function () { fromHash(); render(); });
  fromHash();
  render();
})();
