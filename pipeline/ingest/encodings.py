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

    sha256: str
    quote_count: int  # odd: a quoted field is never closed
    newline_count: int
    ends_with_newline: bool
    has_mixed_newlines: bool  # both CRLF and bare LF: DuckDB's reader rejects the file
    size: int

    @property
    def line_count(self) -> int:
        return self.newline_count + (1 if self.size and not self.ends_with_newline else 0)


def file_shape(path: Path) -> FileShape:
    """sha256 and the counts ingest needs, in one read of each chunk. Every operation here is
    a C loop over the chunk (hashlib releases the GIL); carriage returns are counted only in
    chunks that have one, so a LF-only file pays nothing for them."""
    digest = hashlib.sha256()
    quotes = lf = crlf = size = 0
    has_cr, last = False, b""
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            quotes += chunk.count(b'"')
            lf += chunk.count(b"\n")
            if b"\r" in chunk:
                has_cr = True
                crlf += chunk.count(b"\r\n")
            if last == b"\r" and chunk[:1] == b"\n":
                crlf += 1  # a CRLF split across two chunks
            last = chunk[-1:]
    return FileShape(digest.hexdigest(), quotes, lf, last == b"\n", has_cr and 0 < crlf < lf, size)


def has_blank_lines(path: Path) -> bool:
    """A blank line anywhere (DuckDB skips them, which would shift later row numbers). Only
    needed for files with quotes: in a file without any, a blank line shows as fewer records
    read than lines."""
    tail = b""
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            window = tail + chunk[:2]
            if b"\n\n" in chunk or b"\n\r\n" in chunk or b"\n\n" in window or b"\n\r\n" in window:
                return True
            tail = chunk[-2:]
    return False
