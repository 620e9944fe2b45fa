"""A small INI parser: sections, `key = value` or `key: value` pairs, comments, continuation
lines, defaults inherited by every section, and typed getters."""


class ParseError(ValueError):
    def __init__(self, line_no, message):
        super().__init__(f"line {line_no}: {message}")
        self.line_no = line_no


TRUE = {"1", "yes", "true", "on"}
FALSE = {"0", "no", "false", "off"}


class Config:
    def __init__(self):
        self.defaults = {}
        self.sections = {}

    def get(self, section, key, fallback=None):
        key = key.lower()
        values = self.sections.get(section)
        if values is None:
            raise KeyError(f"no section {section!r}")
        if key in values:
            return values[key]
        return self.defaults.get(key, fallback)

    def get_int(self, section, key, fallback=None):
        value = self.get(section, key)
        if value is None:
            return fallback
        return int(value)

    def get_bool(self, section, key, fallback=None):
        value = self.get(section, key)
        if value is None:
            return fallback
        lowered = value.lower()
        if lowered in TRUE:
            return True
        if lowered in FALSE:
            return False
        raise ValueError(f"not a boolean: {value!r}")

    def get_list(self, section, key, sep=","):
        value = self.get(section, key)
        if value is None:
            return []
        return [item.strip() for item in value.split(sep) if item.strip()]


def parse(text, default_section="DEFAULT"):
    config = Config()
    current = None  # the dict being filled
    last_key = None
    for line_no, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped[0] in "#;":
            continue
        if raw[0] in " \t":
            # A continuation line extends the previous value.
            if last_key is None:
                raise ParseError(line_no, "continuation without a key")
            current[last_key] += "\n" + stripped
            continue
        if stripped.startswith("["):
            if not stripped.endswith("]"):
                raise ParseError(line_no, "unclosed section header")
            name = stripped[1:-1].strip()
            if not name:
                raise ParseError(line_no, "empty section name")
            if name == default_section:
                current = config.defaults
            else:
                if name in config.sections:
                    raise ParseError(line_no, f"duplicate section {name!r}")
                current = config.sections[name] = {}
            last_key = None
            continue
        if current is None:
            raise ParseError(line_no, "key outside any section")
        positions = [p for p in (stripped.find("="), stripped.find(":")) if p >= 0]
        if not positions:
            raise ParseError(line_no, "expected key = value")
        split = min(positions)
        key = stripped[:split].strip().lower()
        if not key:
            raise ParseError(line_no, "empty key")
        value = stripped[split + 1:].strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        current[key] = value
        last_key = key
    return config
