"""The hashed names of templates/static/: kept between pages, listed again when the directory changes."""

from __future__ import annotations

import os

from chalicelib.web import pages


def test_a_file_added_removed_or_replaced_changes_the_names(tmp_path, monkeypatch):
    monkeypatch.setattr(pages, "STATIC", tmp_path)
    monkeypatch.setattr(pages, "_listed", None)
    (tmp_path / "a.js").write_bytes(b"a")
    first = pages.static_names()
    assert first == {"a.js": pages.hashed_name("a.js", b"a")}
    first["b.js"] = "changed by a caller"
    assert pages.static_names() == {"a.js": pages.hashed_name("a.js", b"a")}

    (tmp_path / "b.css").write_bytes(b"b")
    assert set(pages.static_names()) == {"a.js", "b.css"}
    (tmp_path / "a.js").unlink()
    assert set(pages.static_names()) == {"b.css"}
    # An editor's save: a new file renamed over the old one.
    (tmp_path / "b.css.new").write_bytes(b"b2")
    os.replace(tmp_path / "b.css.new", tmp_path / "b.css")
    assert pages.static_names() == {"b.css": pages.hashed_name("b.css", b"b2")}
