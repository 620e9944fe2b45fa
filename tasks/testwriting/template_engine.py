"""A tiny text template engine: `{{ name }}` substitution with dotted lookups into dicts and
attributes, filters (`{{ name | upper | default:"x" }}`), HTML escaping by default, and
`{% if %}` / `{% for %}` blocks."""

import html
import re

_TOKEN = re.compile(r"({{.*?}}|{%.*?%})", re.S)


class TemplateError(ValueError):
    pass


def _lookup(context, dotted):
    value = context
    for part in dotted.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif part.isdigit() and isinstance(value, (list, tuple)) and int(part) < len(value):
            value = value[int(part)]
        elif not isinstance(value, dict) and not part.startswith("_") and hasattr(value, part):
            value = getattr(value, part)
        else:
            return None
    return value


def _apply_filter(value, spec):
    name, _, arg = spec.partition(":")
    name = name.strip()
    arg = arg.strip().strip('"')
    if name == "upper":
        return str(value).upper()
    if name == "lower":
        return str(value).lower()
    if name == "default":
        return arg if value in (None, "") else value
    if name == "length":
        return len(value)
    if name == "join":
        return (arg or ", ").join(str(v) for v in value)
    if name == "truncate":
        limit = int(arg)
        text = str(value)
        return text if len(text) <= limit else text[:limit - 1] + "…"
    raise TemplateError(f"unknown filter {name!r}")


def _expression(context, text):
    parts = text.split("|")
    value = _lookup(context, parts[0].strip())
    for spec in parts[1:]:
        value = _apply_filter(value, spec)
    return value


def _parse(tokens, pos, end_tags):
    """A node list up to one of `end_tags`; returns (nodes, position, the end tag met)."""
    nodes = []
    while pos < len(tokens):
        tok = tokens[pos]
        if tok.startswith("{%"):
            words = tok[2:-2].split()
            if not words:
                raise TemplateError("empty block tag")
            if words[0] in end_tags:
                return nodes, pos + 1, words[0]
            if words[0] == "if" and len(words) == 2:
                body, pos, tag = _parse(tokens, pos + 1, ("else", "endif"))
                other = []
                if tag == "else":
                    other, pos, tag = _parse(tokens, pos, ("endif",))
                if tag != "endif":
                    raise TemplateError("unclosed if")
                nodes.append(("if", words[1], body, other))
                continue
            if words[0] == "for" and len(words) == 4 and words[2] == "in":
                body, pos, tag = _parse(tokens, pos + 1, ("endfor",))
                if tag != "endfor":
                    raise TemplateError("unclosed for")
                nodes.append(("for", words[1], words[3], body))
                continue
            raise TemplateError(f"unexpected tag {' '.join(words)!r}")
        nodes.append(("var", tok[2:-2]) if tok.startswith("{{") else ("text", tok))
        pos += 1
    return nodes, pos, None


def _render(nodes, context, escape):
    out = []
    for node in nodes:
        if node[0] == "text":
            out.append(node[1])
        elif node[0] == "var":
            value = _expression(context, node[1])
            text = "" if value is None else str(value)
            out.append(html.escape(text) if escape else text)
        elif node[0] == "if":
            branch = node[2] if _lookup(context, node[1]) else node[3]
            out.append(_render(branch, context, escape))
        else:
            _, name, source, body = node
            for item in _lookup(context, source) or ():
                out.append(_render(body, {**context, name: item}, escape))
    return "".join(out)


def render(template, context, escape=True):
    tokens = [t for t in _TOKEN.split(template) if t]
    nodes, _, _ = _parse(tokens, 0, ())
    return _render(nodes, context, escape)
