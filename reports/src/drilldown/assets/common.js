// Shared by every drill-down page. The page's data is JSON in the script block "data"; everything
// taken from it reaches the page through textContent, properties and attributes set one by
// one, never as markup: samples are untrusted text.
"use strict";
const DATA = JSON.parse(document.getElementById("data").textContent);

/** A new `tag` element with class `className` and text `text` (set as text). */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function pct(v) { return (v * 100).toFixed(1) + "%"; }

/** The distinct non-empty values, sorted. */
function distinct(values) {
  return Array.from(new Set(values)).filter(function (v) { return v !== ""; }).sort();
}

/** Adds an option per value to a <select>. */
function fillSelect(select, values, names) {
  values.forEach(function (v) { select.append(new Option(names ? names(v) : v, v)); });
}

/** A status as a CSS class: st-passed, st-failed, st-timed_out, ... */
function statusClass(status) { return "st-" + String(status).replace(/[^a-z_]/g, ""); }

/** A badge naming a status. */
function badge(status) { return el("span", "badge " + statusClass(status), String(status).replace(/_/g, " ")); }

/** `passed/samples` of an outcome. */
function fraction(o) { return o.passed + "/" + o.samples; }

/** The parameters of the address's fragment: #a=x&b=y. */
function hashParams() {
  const out = new Map();
  location.hash.replace(/^#/, "").split("&").forEach(function (part) {
    const i = part.indexOf("=");
    if (i <= 0) return;
    try { out.set(part.slice(0, i), decodeURIComponent(part.slice(i + 1))); } catch (e) { /* not ours */ }
  });
  return out;
}

/** The text's first non-empty line, at most `max` characters. */
function firstLine(text, max) {
  const line = String(text || "").split("\n").find(function (l) { return l.trim() !== ""; }) || "";
  return line.length > max ? line.slice(0, max) + "…" : line;
}

/** Sets the "N of M tasks" counter. */
function showCount(node, shown, total, noun) {
  node.textContent = shown + " of " + total + " " + noun + (total === 1 ? "" : "s");
  node.dataset.shown = String(shown);
}
