"""Detect a CSV's encoding and give DuckDB a UTF-8 file (inputs.md: UTF-8, UTF-8 with BOM,
Windows-1252). Detection streams the bytes through an incremental decoder, so a big file
is never held in memory; only non-UTF-8 files are transcoded, also in a stream."""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1 << 20
BOM = codecs.BOM_UTF8


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def normalise_encoding(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise ValueError(f"unknown encoding {name!r}") from None


def detect_encoding(path: Path) -> str:
    """'utf-8-sig' (BOM), 'utf-16' (its BOM), 'utf-8', or 'cp1252' when the bytes are not
    valid UTF-8."""
    with path.open("rb") as fh:
        head = fh.read(len(BOM))
        if head == BOM:
            return "utf-8-sig"
        if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            return "utf-16"
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            decoder.decode(head)
            while chunk := fh.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8"


def utf8_copy(path: Path, encoding: str, target: Path) -> Path:
    """Write `path` re-encoded as plain UTF-8 (no BOM) to `target`.

    Bytes that are undefined in Windows-1252 become U+FFFD rather than failing
    the whole file: the row still loads and a human can see the odd character.
    """
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    with path.open("rb") as src, target.open("w", encoding="utf-8", newline="") as dst:
        while chunk := src.read(CHUNK):
            dst.write(decoder.decode(chunk))
        dst.write(decoder.decode(b"", final=True))
    return target


def needs_transcoding(encoding: str) -> bool:
    return normalise_encoding(encoding) != "utf-8"


@dataclass(frozen=True)
class FileShape:
    """What one streaming pass over the bytes tells before DuckDB reads the file."""

    quote_count: int  # odd: a quoted field is never closed
    has_blank_lines: bool
    has_mixed_newlines: bool  # both CRLF and bare LF: DuckDB's reader rejects the file
    has_content: bool

    @property
    def needs_rewrite(self) -> bool:
        return self.has_blank_lines or self.has_mixed_newlines


def file_shape(path: Path) -> FileShape:
    quotes, blank, content, tail = 0, False, False, b""
    crlf = lf = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            quotes += chunk.count(b'"')
            crlf += chunk.count(b"\r\n")
            lf += chunk.count(b"\n")
            window = tail + chunk
            if not blank and (b"\n\n" in window or b"\n\r\n" in window):
                blank = True
            content = content or bool(chunk.strip())
            tail = chunk[-2:]
    return FileShape(quotes, blank, 0 < crlf < lf, content)
