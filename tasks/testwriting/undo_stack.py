"""Undo and redo for a text document through the command pattern: insert and delete commands,
an undo history with a size limit, grouping several edits into one undoable step, and merging
of consecutive typing."""


class Insert:
    def __init__(self, position, text):
        self.position = position
        self.text = text

    def apply(self, doc):
        if not 0 <= self.position <= len(doc):
            raise IndexError("insert position outside the document")
        return doc[:self.position] + self.text + doc[self.position:]

    def revert(self, doc):
        return doc[:self.position] + doc[self.position + len(self.text):]

    def merge(self, other):
        """Typing right after this insert extends it."""
        if isinstance(other, Insert) and other.position == self.position + len(self.text) and " " not in other.text:
            return Insert(self.position, self.text + other.text)
        return None


class Delete:
    def __init__(self, position, length):
        self.position = position
        self.length = length
        self.removed = None

    def apply(self, doc):
        if self.position < 0 or self.position + self.length > len(doc):
            raise IndexError("delete range outside the document")
        self.removed = doc[self.position:self.position + self.length]
        return doc[:self.position] + doc[self.position + self.length:]

    def revert(self, doc):
        return doc[:self.position] + self.removed + doc[self.position:]

    def merge(self, other):
        return None


class Group:
    def __init__(self, commands):
        self.commands = list(commands)

    def apply(self, doc):
        for c in self.commands:
            doc = c.apply(doc)
        return doc

    def revert(self, doc):
        for c in reversed(self.commands):
            doc = c.revert(doc)
        return doc

    def merge(self, other):
        return None


class Editor:
    def __init__(self, text="", limit=100):
        if limit < 1:
            raise ValueError("history limit must be at least 1")
        self.text = text
        self.limit = limit
        self._undo = []
        self._redo = []
        self._group = None

    def execute(self, command, merge=True):
        if self._group is not None:
            self.text = command.apply(self.text)
            self._group.append(command)
            return
        self.text = command.apply(self.text)
        self._redo.clear()
        if merge and self._undo:
            merged = self._undo[-1].merge(command)
            if merged is not None:
                self._undo[-1] = merged
                return
        self._undo.append(command)
        if len(self._undo) > self.limit:
            del self._undo[0]

    def insert(self, position, text):
        self.execute(Insert(position, text))

    def delete(self, position, length):
        self.execute(Delete(position, length))

    def begin_group(self):
        if self._group is not None:
            raise RuntimeError("groups do not nest")
        self._group = []

    def end_group(self):
        if self._group is None:
            raise RuntimeError("no group is open")
        commands, self._group = self._group, None
        if commands:
            self._undo.append(Group(commands))
            self._redo.clear()
            if len(self._undo) > self.limit:
                del self._undo[0]

    def can_undo(self):
        return bool(self._undo)

    def can_redo(self):
        return bool(self._redo)

    def undo(self):
        if not self._undo:
            raise IndexError("nothing to undo")
        command = self._undo.pop()
        self.text = command.revert(self.text)
        self._redo.append(command)

    def redo(self):
        if not self._redo:
            raise IndexError("nothing to redo")
        command = self._redo.pop()
        self.text = command.apply(self.text)
        self._undo.append(command)
