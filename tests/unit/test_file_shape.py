"""The one pass over a file's bytes before DuckDB reads it (pipeline/ingest/encodings.py)."""

import hashlib

from pipeline.ingest import encodings
from pipeline.ingest.encodings import file_shape, has_blank_lines


def test_counts_and_hash(tmp_path):
    data = b'a,b\n"x",1\ny,2'
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    shape = file_shape(path)
    assert shape.sha256 == hashlib.sha256(data).hexdigest()
    assert (shape.quote_count, shape.newline_count, shape.line_count) == (2, 2, 3)
    assert not shape.ends_with_newline and not shape.has_mixed_newlines


def test_crlf_split_across_chunks_is_not_taken_for_mixed_line_ends(tmp_path, monkeypatch):
    monkeypatch.setattr(encodings, "CHUNK", 4)
    path = tmp_path / "f.csv"
    path.write_bytes(b"abc\r\ndef\r\ngh\r\n")  # the first CRLF straddles bytes 4 and 5
    shape = file_shape(path)
    assert not shape.has_mixed_newlines and shape.line_count == 3
    path.write_bytes(b"abc\r\ndef\ngh\r\n")
    assert file_shape(path).has_mixed_newlines


def test_blank_line_found_across_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(encodings, "CHUNK", 3)
    path = tmp_path / "f.csv"
    path.write_bytes(b'"a"\r\n\r\n"b"\n')
    assert has_blank_lines(path)
    path.write_bytes(b'"a"\r\n"b"\n')
    assert not has_blank_lines(path)
