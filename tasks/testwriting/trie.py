"""A prefix tree of words: insert with counts, exact and prefix lookups, autocomplete ranked
by count, deletion that prunes empty branches, and the longest common prefix."""


class _Node:
    __slots__ = ("children", "count")

    def __init__(self):
        self.children = {}
        self.count = 0  # how many times the word ending here was inserted


class Trie:
    def __init__(self, words=()):
        self._root = _Node()
        self._size = 0
        for w in words:
            self.insert(w)

    def __len__(self):
        """Distinct words stored."""
        return self._size

    def insert(self, word, count=1):
        if not word:
            raise ValueError("cannot insert the empty word")
        if count < 1:
            raise ValueError("count must be positive")
        node = self._root
        for ch in word:
            node = node.children.setdefault(ch, _Node())
        if node.count == 0:
            self._size += 1
        node.count += count

    def _find(self, prefix):
        node = self._root
        for ch in prefix:
            node = node.children.get(ch)
            if node is None:
                return None
        return node

    def count(self, word):
        node = self._find(word)
        return node.count if node else 0

    def __contains__(self, word):
        return self.count(word) > 0

    def has_prefix(self, prefix):
        return self._find(prefix) is not None

    def words(self, prefix=""):
        """All words starting with `prefix`, in lexicographic order."""
        node = self._find(prefix)
        out = []
        if node is None:
            return out
        stack = [(node, prefix)]
        while stack:
            current, text = stack.pop()
            if current.count:
                out.append(text)
            for ch in sorted(current.children, reverse=True):
                stack.append((current.children[ch], text + ch))
        return sorted(out)

    def complete(self, prefix, limit=5):
        """Up to `limit` words starting with `prefix`, most frequent first, ties alphabetical."""
        if limit < 1:
            return []
        ranked = sorted(self.words(prefix), key=lambda w: (-self.count(w), w))
        return ranked[:limit]

    def delete(self, word):
        """Remove `word` entirely; returns whether it was there. Branches left without words
        are pruned."""
        path = [self._root]
        for ch in word:
            nxt = path[-1].children.get(ch)
            if nxt is None:
                return False
            path.append(nxt)
        if path[-1].count == 0:
            return False
        path[-1].count = 0
        self._size -= 1
        for i in range(len(word), 0, -1):
            node = path[i]
            if node.count or node.children:
                break
            del path[i - 1].children[word[i - 1]]
        return True

    def longest_common_prefix(self):
        """The prefix shared by every word ('' when empty)."""
        node = self._root
        prefix = []
        while len(node.children) == 1 and node.count == 0:
            ch, node = next(iter(node.children.items()))
            prefix.append(ch)
        return "".join(prefix)

    def node_count(self):
        """Nodes below the root (for checking that deletion prunes)."""
        total = 0
        stack = [self._root]
        while stack:
            node = stack.pop()
            total += len(node.children)
            stack.extend(node.children.values())
        return total
