"""Quoting for the few places SQL text is built: identifiers and literals from a
mapping or a file header are always quoted here, never pasted into SQL as they are."""

from __future__ import annotations


def ident(name: str) -> str:
    if "\x00" in name:
        raise ValueError("identifier contains a NUL byte")
    return '"' + name.replace('"', '""') + '"'


def literal(value: object) -> str:
    if value is None:
        return "NULL"
    text = str(value)
    if "\x00" in text:
        raise ValueError("literal contains a NUL byte")
    return "'" + text.replace("'", "''") + "'"


def literal_list(values) -> str:
    return "[" + ", ".join(literal(v) for v in values) + "]"
