import pytest

from url_router import MethodNotAllowed, NotFound, Route, Router


def h_index(): pass
def h_user(): pass
def h_me(): pass
def h_post(): pass
def h_file(): pass
def h_create(): pass


@pytest.fixture
def router():
    r = Router()
    r.add("/", h_index)
    r.add("/users/<int:id>", h_user)
    r.add("/users/me", h_me)
    r.add("/users/<int:uid>/posts/<slug:post>", h_post)
    r.add("/files/<path:rest>", h_file)
    r.add("/users", h_create, methods=("post", "put"))
    return r


def test_static_and_int_routes(router):
    assert router.resolve("GET", "/") == (h_index, {})
    assert router.resolve("GET", "/users/42") == (h_user, {"id": 42})
    assert router.resolve("get", "/users/-3") == (h_user, {"id": -3})


def test_static_beats_dynamic_regardless_of_order(router):
    assert router.resolve("GET", "/users/me") == (h_me, {})


def test_multiple_params_and_slugs(router):
    assert router.resolve("GET", "/users/7/posts/hello-world") == (h_post, {"uid": 7, "post": "hello-world"})
    for bad in ("/users/7/posts/Hello", "/users/7/posts/a--b", "/users/7/posts/-a"):
        with pytest.raises(NotFound):
            router.resolve("GET", bad)


def test_path_converter_spans_slashes(router):
    assert router.resolve("GET", "/files/a/b/c.txt") == (h_file, {"rest": "a/b/c.txt"})
    with pytest.raises(NotFound):
        router.resolve("GET", "/files/")


def test_default_converter_is_str():
    r = Router()
    r.add("/tags/<name>", h_index)
    assert r.resolve("GET", "/tags/x.y") == (h_index, {"name": "x.y"})
    with pytest.raises(NotFound):
        r.resolve("GET", "/tags/a/b")


def test_not_found_is_anchored(router):
    for path in ("/users/42/extra", "/users/x", "/nothing", "/users/42x"):
        with pytest.raises(NotFound):
            router.resolve("GET", path)


def test_method_not_allowed_lists_methods(router):
    with pytest.raises(MethodNotAllowed) as err:
        router.resolve("DELETE", "/users")
    assert err.value.allowed == ["POST", "PUT"]
    assert "POST, PUT" in str(err.value)
    assert router.resolve("put", "/users") == (h_create, {})


def test_strict_slashes():
    strict = Router()
    strict.add("/a", h_index)
    with pytest.raises(NotFound):
        strict.resolve("GET", "/a/")
    loose = Router(strict_slashes=False)
    loose.add("/a", h_index)
    loose.add("/", h_me)
    assert loose.resolve("GET", "/a/") == (h_index, {})
    assert loose.resolve("GET", "/") == (h_me, {})


def test_bad_patterns():
    with pytest.raises(ValueError, match="start with"):
        Route("users", h_index, ["GET"])
    with pytest.raises(ValueError, match="unknown converter"):
        Route("/x/<float:v>", h_index, ["GET"])
    with pytest.raises(ValueError, match="duplicate"):
        Route("/<a>/<a>", h_index, ["GET"])


def test_literal_text_is_escaped():
    r = Router()
    r.add("/v1.0/<int:n>", h_index)
    assert r.resolve("GET", "/v1.0/3") == (h_index, {"n": 3})
    with pytest.raises(NotFound):
        r.resolve("GET", "/v1x0/3")


def test_priority_more_static_text_first():
    r = Router()
    r.add("/<a>/<b>", h_user)
    r.add("/x/<b>", h_me)
    r.add("/long-prefix/<b>", h_post)
    assert r.resolve("GET", "/x/1") == (h_me, {"b": "1"})
    assert r.resolve("GET", "/long-prefix/1") == (h_post, {"b": "1"})
    assert r.resolve("GET", "/y/1") == (h_user, {"a": "y", "b": "1"})
    assert [route.handler for route in r.routes] == [h_post, h_me, h_user]


def test_add_returns_the_route():
    r = Router()
    route = r.add("/x/<int:n>", h_index, methods=("get",))
    assert route.pattern == "/x/<int:n>"
    assert route.methods == ("GET",)
    assert route.match("/x/4") == {"n": 4}
    assert route.match("/y/4") is None


def test_decorator_registration():
    r = Router()

    @r.route("/hello/<name>", methods=("GET", "HEAD"))
    def hello():
        return "hi"

    assert hello() == "hi"
    assert r.resolve("HEAD", "/hello/bob") == (hello, {"name": "bob"})


def test_url_for(router):
    assert router.url_for(h_user, id=5) == "/users/5"
    assert router.url_for(h_post, uid=1, post="a-b") == "/users/1/posts/a-b"
    assert router.url_for(h_index) == "/"
    with pytest.raises(LookupError):
        router.url_for(h_user)
    with pytest.raises(LookupError):
        router.url_for(h_user, id=1, extra=2)
