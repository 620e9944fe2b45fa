import pytest

from graph_algos import CycleError, Graph


def make(edges):
    g = Graph()
    for e in edges:
        g.add_edge(*e)
    return g


def test_nodes_and_neighbours():
    g = make([("b", "c"), ("a", "c"), ("a", "b")])
    g.add_node("z")
    assert g.nodes() == ["a", "b", "c", "z"]
    assert g.neighbours("a") == ["b", "c"]
    assert g.neighbours("c") == []
    assert g.neighbours("missing") == []
    with pytest.raises(ValueError):
        g.add_edge("a", "b", -1)
    g.add_edge("a", "b", 0)


def test_shortest_path():
    g = make([(1, 2), (2, 3), (3, 4), (1, 5), (5, 4), (4, 6)])
    assert g.shortest_path(1, 6) == [1, 5, 4, 6]
    assert g.shortest_path(1, 1) == [1]
    assert g.shortest_path(6, 1) is None
    assert g.shortest_path(1, 99) is None
    assert g.shortest_path(99, 1) is None


def test_shortest_path_tie_prefers_smallest_neighbour():
    g = make([(0, 2), (0, 1), (1, 3), (2, 3)])
    assert g.shortest_path(0, 3) == [0, 1, 3]


def test_distances():
    g = make([("s", "a", 4), ("s", "b", 1), ("b", "a", 2), ("a", "t", 1), ("b", "t", 5)])
    assert g.distances("s") == {"s": 0, "a": 3, "b": 1, "t": 4}
    assert g.distances("t") == {"t": 0}
    assert g.distances("a") == {"a": 0, "t": 1}


def test_default_weight_is_one():
    assert make([("a", "b"), ("b", "c")]).distances("a") == {"a": 0, "b": 1, "c": 2}


def test_distances_update_when_shorter_found_later():
    g = make([(0, 1, 10), (0, 2, 1), (2, 3, 1), (3, 1, 1), (1, 4, 1)])
    assert g.distances(0) == {0: 0, 1: 3, 2: 1, 3: 2, 4: 4}


def test_topological_order():
    g = make([("shirt", "tie"), ("tie", "jacket"), ("pants", "shoes"), ("pants", "belt"), ("belt", "jacket"),
              ("shirt", "belt"), ("socks", "shoes")])
    order = g.topological_order()
    assert order == ["pants", "shirt", "belt", "socks", "shoes", "tie", "jacket"]
    for a in g.nodes():
        for b in g.neighbours(a):
            assert order.index(a) < order.index(b)


def test_topological_order_of_isolated_nodes():
    g = Graph()
    for n in (3, 1, 2):
        g.add_node(n)
    assert g.topological_order() == [1, 2, 3]


def test_cycle_is_reported():
    g = make([(1, 2), (2, 3), (3, 1), (0, 1), (3, 4)])
    with pytest.raises(CycleError) as err:
        g.topological_order()
    assert err.value.cycle == [1, 2, 3, 1]
    assert str(err.value) == "cycle: 1 -> 2 -> 3 -> 1"


def test_self_loop_cycle():
    g = make([("a", "a")])
    with pytest.raises(CycleError) as err:
        g.topological_order()
    assert err.value.cycle == ["a", "a"]


def test_cycle_reached_through_a_tail():
    g = make([(1, 2), (2, 3), (3, 2)])
    with pytest.raises(CycleError) as err:
        g.topological_order()
    assert err.value.cycle == [2, 3, 2]


def test_components():
    g = make([(1, 2), (3, 2), (4, 5)])
    g.add_node(0)
    g.add_node(9)
    assert g.components() == [[0], [1, 2, 3], [4, 5], [9]]
    assert Graph().components() == []
