"""Graph algorithms on a directed graph stored as adjacency sets: BFS shortest paths,
Dijkstra on weighted edges, topological sort with cycle reporting, and connected components
of the undirected view."""

import heapq
from collections import deque


class CycleError(ValueError):
    def __init__(self, cycle):
        super().__init__("cycle: " + " -> ".join(map(str, cycle)))
        self.cycle = cycle


class Graph:
    def __init__(self):
        self._edges = {}  # node -> {neighbour: weight}

    def add_node(self, node):
        self._edges.setdefault(node, {})

    def add_edge(self, a, b, weight=1):
        if weight < 0:
            raise ValueError("negative weights are not supported")
        self.add_node(a)
        self.add_node(b)
        self._edges[a][b] = weight

    def nodes(self):
        return sorted(self._edges)

    def neighbours(self, node):
        return sorted(self._edges.get(node, {}))

    def shortest_path(self, start, goal):
        """Fewest edges from start to goal (ties: smallest neighbour first), or None."""
        if start not in self._edges or goal not in self._edges:
            return None
        previous = {start: None}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            if node == goal:
                path = []
                while node is not None:
                    path.append(node)
                    node = previous[node]
                return path[::-1]
            for nxt in self.neighbours(node):
                if nxt not in previous:
                    previous[nxt] = node
                    queue.append(nxt)
        return None

    def distances(self, start):
        """Dijkstra: {node: cost} for every node reachable from start."""
        dist = {start: 0}
        heap = [(0, start)]
        done = set()
        while heap:
            d, node = heapq.heappop(heap)
            if node in done:
                continue
            done.add(node)
            for nxt, w in self._edges.get(node, {}).items():
                nd = d + w
                if nxt not in dist or nd < dist[nxt]:
                    dist[nxt] = nd
                    heapq.heappush(heap, (nd, nxt))
        return dist

    def topological_order(self):
        """Nodes so that every edge goes forward; among free nodes the smallest comes first.
        Raises CycleError naming one cycle."""
        indegree = {n: 0 for n in self._edges}
        for targets in self._edges.values():
            for t in targets:
                indegree[t] += 1
        ready = [n for n, d in indegree.items() if d == 0]
        heapq.heapify(ready)
        order = []
        while ready:
            node = heapq.heappop(ready)
            order.append(node)
            for t in self._edges[node]:
                indegree[t] -= 1
                if indegree[t] == 0:
                    heapq.heappush(ready, t)
        if len(order) < len(self._edges):
            raise CycleError(self._find_cycle({n for n, d in indegree.items() if d > 0}))
        return order

    def _find_cycle(self, candidates):
        # Follow edges inside the nodes left over (all on or downstream of a cycle) until a
        # node repeats.
        node = min(candidates)
        seen = []
        while node not in seen:
            seen.append(node)
            node = min(t for t in self._edges[node] if t in candidates)
        return seen[seen.index(node):] + [node]

    def components(self):
        """Weakly connected components, each sorted, ordered by their smallest node."""
        undirected = {n: set() for n in self._edges}
        for a, targets in self._edges.items():
            for b in targets:
                undirected[a].add(b)
                undirected[b].add(a)
        seen = set()
        result = []
        for start in sorted(undirected):
            if start in seen:
                continue
            stack = [start]
            seen.add(start)
            comp = []
            while stack:
                node = stack.pop()
                comp.append(node)
                for nxt in undirected[node]:
                    if nxt not in seen:
                        seen.add(nxt)
                        stack.append(nxt)
            result.append(sorted(comp))
        return result
