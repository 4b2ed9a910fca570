"""Unit tests of utils/download.py: the checksummed cache, the full-size sets and their archive readers.

Downloads are served by a local HTTP server on 127.0.0.1 started here; no test touches the internet.
"""

from __future__ import annotations

import hashlib
import http.server
import io
import re
import socket
import tarfile
import threading
from pathlib import Path

import pytest

from tests.helpers import assert_no_overlap, rows
from utils import data, download

# ------------------------------------------------------------------------------------------ fixtures


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path, monkeypatch):
    """Every test downloads into its own empty cache and never through a proxy."""
    monkeypatch.setenv(download.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("NO_PROXY", "*")


@pytest.fixture
def cache(tmp_path) -> Path:
    return tmp_path / "cache"


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves server.files by path; /truncated/... promises 100 bytes more than it sends."""

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        self.server.hits.append(self.path)
        body = self.server.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        promised = len(body) + (100 if self.path.startswith("/truncated/") else 0)
        self.send_header("Content-Length", str(promised))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    """Return a running local HTTP server with .files (path -> bytes), .hits (paths asked) and .url(path)."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.files, httpd.hits = {}, []
    httpd.url = lambda path: f"http://127.0.0.1:{httpd.server_address[1]}{path}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def down_url() -> str:
    """Return a URL on a local port where nothing listens ("server down")."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/file.bin"


def _sha(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _tarball(files: dict[str, str]) -> bytes:
    """Return a .tar.gz holding the given text files."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in files.items():
            body = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(body)
            archive.addfile(info, io.BytesIO(body))
    return buffer.getvalue()


def _serve_full_set(monkeypatch, server, key: str, body: bytes, sha256: str | None = None) -> None:
    """Serve `body` as the full-size set `key` from the local server."""
    path = f"/{key}.bin"
    server.files[path] = body
    spec = {**download.FULL_SIZE_SETS[key], "url": server.url(path), "sha256": sha256 or _sha(body)}
    monkeypatch.setitem(download.FULL_SIZE_SETS, key, spec)


# ------------------------------------------------------------------------------------------- download


def test_download_caches_and_reuses_without_a_second_request(server, cache):
    body = b"x" * 5000
    server.files["/set.bin"] = body
    path = download.download(server.url("/set.bin"), _sha(body))
    assert path == cache / "set.bin" and path.read_bytes() == body
    assert download.download(server.url("/set.bin"), _sha(body)) == path
    assert server.hits == ["/set.bin"]
    assert [p.name for p in cache.iterdir()] == ["set.bin"]  # no temporary file left


def test_download_reuses_a_verified_file_even_offline(down_url, tmp_path):
    (tmp_path / "file.bin").write_bytes(b"cached")
    assert download.download(down_url, _sha(b"cached"), tmp_path).read_bytes() == b"cached"


def test_download_replaces_a_damaged_cached_file(server, cache):
    server.files["/set.bin"] = b"good"
    cache.mkdir()
    (cache / "set.bin").write_bytes(b"damaged")
    assert download.download(server.url("/set.bin"), _sha(b"good")).read_bytes() == b"good"


def test_download_with_wrong_checksum_names_both_digests_and_keeps_nothing(server, cache):
    server.files["/set.bin"] = b"tampered"
    wanted = _sha(b"original")
    with pytest.raises(download.ChecksumError) as caught:
        download.download(server.url("/set.bin"), wanted)
    assert wanted in str(caught.value) and _sha(b"tampered") in str(caught.value)
    assert list(cache.iterdir()) == []


@pytest.mark.parametrize("where, reason", [
    ("down", "Connection refused"), ("/missing.bin", "404"), ("/truncated/set.bin", "1000 of 1100 bytes"),
])
def test_failed_download_names_the_url_and_leaves_no_partial_file(where, reason, server, down_url, cache):
    server.files["/truncated/set.bin"] = b"y" * 1000
    url = down_url if where == "down" else server.url(where)
    with pytest.raises(download.DownloadError, match=f"could not download {re.escape(url)}: .*{reason}"):
        download.download(url, _sha(b"y" * 1000))
    assert not cache.exists() or list(cache.iterdir()) == []
    assert issubclass(download.DownloadError, download.NETWORK_ERRORS)  # "offline" for fetch_full_size


def test_damaged_cached_file_is_gone_even_when_the_new_download_fails(down_url, tmp_path):
    (tmp_path / "file.bin").write_bytes(b"damaged")
    with pytest.raises(download.DownloadError, match=re.escape(down_url)):
        download.download(down_url, _sha(b"good"), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_interrupted_download_leaves_no_partial_file(server, cache, monkeypatch):
    """A download stopped half-way (Ctrl-C in a notebook) keeps nothing, not even its temporary file."""
    server.files["/set.bin"] = b"z" * 10

    def interrupted(url, out, *args):
        out.write(b"z" * 5)
        raise KeyboardInterrupt

    monkeypatch.setattr(download, "_stream", interrupted)
    with pytest.raises(KeyboardInterrupt):
        download.download(server.url("/set.bin"), _sha(b"z" * 10))
    assert list(cache.iterdir()) == []


def test_download_arguments(server, tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="64 hex digits"):
        download.download("http://127.0.0.1/x", "abc")
    with pytest.raises(TypeError, match="url is None; expected a str"):
        download.download(None, _sha(b""))
    with pytest.raises(ValueError, match="url must start with http:// or https://, got 'ftp://x/y'"):
        download.download("ftp://x/y", _sha(b""))
    with pytest.raises(ValueError, match="pass filename="):
        download.download("http://127.0.0.1/x", _sha(b""), filename="../x")
    with pytest.raises(ValueError, match="timeout must be a number > 0"):
        download.download("http://127.0.0.1/x", _sha(b""), timeout=0)
    server.files["/dir/"] = b"z"
    path = download.download(server.url("/dir/"), _sha(b"z"), tmp_path, filename="z.txt")
    assert path == tmp_path / "z.txt"
    monkeypatch.delenv(download.CACHE_ENV)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert download.default_cache_dir() == tmp_path / ".cache" / "rnn-notebooks"


def test_download_shows_a_progress_bar_for_large_files(server, capsys, monkeypatch):
    monkeypatch.setattr(download, "PROGRESS_MIN_BYTES", 100)
    server.files["/big.bin"] = b"b" * 1000
    download.download(server.url("/big.bin"), _sha(b"b" * 1000))
    assert "big.bin" in capsys.readouterr().err
    server.files["/small.bin"] = b"s" * 10
    download.download(server.url("/small.bin"), _sha(b"s" * 10))
    assert capsys.readouterr().err == ""


# ------------------------------------------------------------------------------------- full-size sets


@pytest.mark.parametrize("loader, key", [
    (data.load_fine_foods, "imdb"),
    (data.load_pride_and_prejudice, "tiny_shakespeare"),
    (data.load_bible_es_en, "ted_hrlr"),
])
def test_full_size_falls_back_to_the_sample_with_a_one_line_notice(loader, key, down_url, monkeypatch, cache):
    monkeypatch.setitem(download.FULL_SIZE_SETS, key, {**download.FULL_SIZE_SETS[key], "url": down_url})
    with pytest.warns(UserWarning, match="could not be downloaded.*using the shipped") as caught:
        parts = loader(full=True)
    assert len(caught) == 1 and "\n" not in str(caught[0].message) and down_url in str(caught[0].message)
    for part, sample in zip(parts, loader(), strict=True):
        assert part == sample if isinstance(part, str) else part.equals(sample)
    assert not cache.exists() or list(cache.iterdir()) == []


def test_full_size_checksum_mismatch_is_an_error_not_a_fallback(server, monkeypatch, cache):
    _serve_full_set(monkeypatch, server, "tiny_shakespeare", b"not shakespeare", sha256=_sha(b"shakespeare"))
    with pytest.raises(download.ChecksumError):
        data.load_pride_and_prejudice(full=True)
    assert list(cache.iterdir()) == []


def test_full_size_tiny_shakespeare(server, monkeypatch):
    text = "".join(f"Speaker {i}:\nLine {i}.\n\n" for i in range(100))
    _serve_full_set(monkeypatch, server, "tiny_shakespeare", text.encode())
    train, val, test = data.load_pride_and_prejudice(full=True)
    assert train + val + test == text
    assert 0.85 < len(train) / len(text) < 0.92 and val.startswith("Speaker") and test.startswith("Speaker")


def _imdb_files() -> dict[str, str]:
    files = {"aclImdb/imdb.vocab": "the\nand\n", "aclImdb/train/unsup/0_0.txt": "unlabelled"}
    for split, count in (("train", 10), ("test", 3)):
        for score, rating in (("pos", 9), ("neg", 2)):
            for i in range(count):
                files[f"aclImdb/{split}/{score}/{i}_{rating}.txt"] = f"{split} {score} {i}<br /><br />more"
    return files


def test_full_size_imdb_read_from_a_local_archive(server, monkeypatch):
    _serve_full_set(monkeypatch, server, "imdb", _tarball(_imdb_files()))
    train, val, test = data.load_fine_foods(full=True, val_frac=0.2)
    assert (len(train), len(val), len(test)) == (16, 4, 6)
    assert list(test.columns) == ["review", "score", "label"]
    assert val["score"].value_counts().to_dict() == {"neg": 2, "pos": 2}
    assert (test["label"] == (test["score"] == "pos")).all()
    assert test["review"].iloc[0] == "test neg 0\n\nmore"
    assert_no_overlap(train["review"], val["review"], test["review"])
    data.load_fine_foods(full=True)
    assert len(server.hits) == 1  # the second call reads the cached archive


def test_imdb_reader_keeps_the_reviews_as_written(tmp_path):
    path = tmp_path / "aclImdb_v1.tar.gz"
    path.write_bytes(_tarball(_imdb_files()))
    train, test = download.read_imdb_archive(path)
    assert (len(train), len(test)) == (20, 6)
    assert test["review"].iloc[0] == "test neg 0<br /><br />more"  # data.load_fine_foods cleans them


def test_fetch_full_size_refuses_an_unknown_set():
    with pytest.raises(ValueError, match="no full-size set 'mnist'; known: imdb, tiny_shakespeare, ted_hrlr"):
        download.fetch_full_size("mnist", "sample")


def test_imdb_reader_refuses_another_archive(tmp_path):
    path = tmp_path / "other.tar.gz"
    path.write_bytes(_tarball({"README": "hello"}))
    with pytest.raises(ValueError, match="IMDB"):
        download.read_imdb_archive(path)


def _ted_files() -> dict[str, str]:
    files = {}
    for split, count in (("train", 8), ("dev", 3), ("test", 2)):
        for lang, word in (("pt", "frase"), ("en", "sentence")):
            lines = "".join(f"{word} {split} {i}\n" for i in range(count))
            files[f"datasets/pt_to_en/{lang}.{split}"] = lines + "\n"
    files["datasets/pt_to_en/pt.train"] = files["datasets/pt_to_en/pt.train"].replace("frase train 5", "")
    files["datasets/ru_to_en/ru.train"] = "x\n"
    return files


def test_full_size_ted_pairs_read_from_a_local_archive(server, monkeypatch):
    _serve_full_set(monkeypatch, server, "ted_hrlr", _tarball(_ted_files()))
    train, val, test = data.load_bible_es_en(full=True)
    assert (len(train), len(val), len(test)) == (7, 3, 2)  # the pair with an empty side is dropped
    assert rows(val)[0] == ("frase dev 0", "sentence dev 0")
    assert train.attrs["languages"] == ("pt", "en")
    with pytest.raises(ValueError, match="no complete language pair 'ru_to_en'; pairs found: pt_to_en, "):
        data.load_bible_es_en(full=True, ted_pair="ru_to_en")
    with pytest.raises(TypeError, match="pair is None; expected a str"):
        data.load_bible_es_en(full=True, ted_pair=None)
