import pytest

from template_engine import TemplateError, render


class User:
    def __init__(self, name):
        self.name = name
        self._secret = "hidden"


def test_plain_text_and_substitution():
    assert render("hello", {}) == "hello"
    assert render("Hi {{ name }}!", {"name": "Ann"}) == "Hi Ann!"
    assert render("{{name}}{{name}}", {"name": "x"}) == "xx"
    assert render("", {}) == ""


def test_dotted_lookup():
    ctx = {"user": User("bob"), "d": {"k": {"v": 1}}, "items": ["a", "b"]}
    assert render("{{ user.name }}", ctx) == "bob"
    assert render("{{ d.k.v }}", ctx) == "1"
    assert render("{{ items.1 }}", ctx) == "b"
    assert render("[{{ items.5 }}]", ctx) == "[]"
    assert render("[{{ missing.x }}]", ctx) == "[]"
    assert render("[{{ user._secret }}]", ctx) == "[]"
    assert render("[{{ d.nope }}]", ctx) == "[]"


def test_escaping():
    assert render("{{ x }}", {"x": "<b>&"}) == "&lt;b&gt;&amp;"
    assert render("{{ x }}", {"x": "<b>"}, escape=False) == "<b>"
    assert render("<p>{{ x }}</p>", {"x": 'a"b'}) == "<p>a&quot;b</p>"


def test_filters():
    ctx = {"n": "Ann", "e": "", "tags": ["a", "b"], "long": "abcdefgh"}
    assert render("{{ n | upper }}", ctx) == "ANN"
    assert render("{{ n | lower }}", ctx) == "ann"
    assert render('{{ e | default:"none" }}', ctx) == "none"
    assert render('{{ zz | default:"none" }}', ctx) == "none"
    assert render('{{ n | default:"none" }}', ctx) == "Ann"
    assert render("{{ tags | length }}", ctx) == "2"
    assert render("{{ tags | join }}", ctx) == "a, b"
    assert render('{{ tags | join:"-" }}', ctx) == "a-b"
    assert render("{{ long | truncate:5 }}", ctx) == "abcd…"
    assert render("{{ long | truncate:8 }}", ctx) == "abcdefgh"
    assert render("{{ n | lower | upper }}", ctx) == "ANN"
    with pytest.raises(TemplateError, match="unknown filter 'reverse'"):
        render("{{ n | reverse }}", ctx)


def test_if_else():
    t = "{% if admin %}root{% else %}user{% endif %}"
    assert render(t, {"admin": True}) == "root"
    assert render(t, {"admin": False}) == "user"
    assert render(t, {}) == "user"
    assert render("a{% if x %}b{% endif %}c", {"x": 1}) == "abc"
    assert render("a{% if x %}b{% endif %}c", {"x": 0}) == "ac"


def test_for_loops():
    t = "{% for i in items %}<{{ i }}>{% endfor %}"
    assert render(t, {"items": [1, 2, 3]}) == "<1><2><3>"
    assert render(t, {"items": []}) == ""
    assert render(t, {}) == ""
    nested = "{% for row in rows %}{% for c in row %}{{ c }}{% endfor %};{% endfor %}"
    assert render(nested, {"rows": [[1, 2], [3]]}) == "12;3;"


def test_loop_variable_does_not_leak():
    t = "{% for x in xs %}{{ x }}{% endfor %}[{{ x }}]"
    assert render(t, {"xs": [1, 2], "x": "outer"}) == "12[outer]"


def test_if_inside_for():
    t = "{% for u in users %}{% if u.admin %}*{% endif %}{{ u.name }} {% endfor %}"
    users = [{"name": "a", "admin": True}, {"name": "b", "admin": False}]
    assert render(t, {"users": users}) == "*a b "


@pytest.mark.parametrize(
    "template,message",
    [("{% if x %}open", "unclosed if"), ("{% for a in b %}", "unclosed for"), ("{% endif %}", "unexpected tag 'endif'"),
     ("{% %}", "empty block tag"), ("{% while x %}", "unexpected tag 'while x'"), ("{% for a of b %}{% endfor %}", "unexpected tag"),
     ("{% if a b %}{% endif %}", "unexpected tag"), ("{% if x %}{% else %}", "unclosed if")],
)
def test_errors(template, message):
    with pytest.raises(TemplateError, match=message):
        render(template, {})
