"""Unit tests of utils/data.py: the shipped files, every loader, the splits, and the checksummed downloads.

Downloads are served by a local HTTP server on 127.0.0.1 started here; no test touches the internet.
"""

from __future__ import annotations

import hashlib
import http.server
import io
import re
import shutil
import socket
import tarfile
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from utils import data

README = data.DATA_DIR / "README.md"
NOT_DATA = {"README.md", ".gitattributes"}
PINNED_CMUDICT_VAL = ["nothings", "brunette", "stressing"]
PINNED_TANG_TEST = "獵蕙微風遠，飄弦唳一聲。林梢鳴淅瀝，松徑夜淒清。"


# ------------------------------------------------------------------------------------------ fixtures


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path, monkeypatch):
    """Every test downloads into its own empty cache and never through a proxy."""
    monkeypatch.setenv(data.CACHE_ENV, str(tmp_path / "cache"))
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


@pytest.fixture
def data_copy(tmp_path, monkeypatch) -> Path:
    """Point the loaders at a scratch copy of data/ that a test may damage."""
    copy = tmp_path / "data"
    shutil.copytree(data.DATA_DIR, copy)
    monkeypatch.setattr(data, "DATA_DIR", copy)
    return copy


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
    spec = {**data.FULL_SIZE_SETS[key], "url": server.url(path), "sha256": sha256 or _sha(body)}
    monkeypatch.setitem(data.FULL_SIZE_SETS, key, spec)


def _no_overlap(*parts) -> None:
    sets = [set(part) for part in parts]
    for i, first in enumerate(sets):
        for second in sets[i + 1:]:
            assert not first & second


def _pairs(frame: pd.DataFrame) -> list[tuple]:
    return list(frame.itertuples(index=False, name=None))


# ---------------------------------------------------------------------------------- the files in data/


def _readme_checksums() -> dict[str, str]:
    """Return {file: SHA-256} from the rows of data/README.md that start with a file name in backticks."""
    rows = re.findall(r"^\| `([^`]+)` \|.*\| `([0-9a-f]{64})` \|$", README.read_text(encoding="utf-8"), re.M)
    return dict(rows)


def test_every_data_file_has_the_sha256_recorded_in_readme_and_code():
    on_disk = {p.name: data.sha256sum(p) for p in data.DATA_DIR.iterdir() if p.name not in NOT_DATA}
    assert on_disk == data.CHECKSUMS
    assert _readme_checksums() == data.CHECKSUMS


def test_data_dir_stays_small():
    assert sum(p.stat().st_size for p in data.DATA_DIR.iterdir()) <= 8 * 2**20


def test_missing_file_error_names_it_and_says_how_to_restore(data_copy):
    (data_copy / "sunspots_yearly.csv").unlink()
    with pytest.raises(FileNotFoundError, match=r"data/sunspots_yearly\.csv is missing.*git checkout data/"):
        data.load_sunspots()


def test_edited_file_is_refused_with_both_digests(data_copy):
    path = data_copy / "co2_weekly.csv"
    path.write_bytes(path.read_bytes() + b"20020105,371.9\n")
    with pytest.raises(data.ChecksumError) as caught:
        data.load_co2()
    message = str(caught.value)
    assert "data/co2_weekly.csv" in message and "git checkout" in message
    assert data.CHECKSUMS["co2_weekly.csv"] in message and data.sha256sum(path) in message


def test_unrecorded_file_name_is_refused():
    with pytest.raises(ValueError, match="no data file 'nope.csv'"):
        data.data_file("nope.csv")


# --------------------------------------------------------------------------------------- text loaders


def test_fine_foods():
    train, val, test = data.load_fine_foods()
    assert (len(train), len(val), len(test)) == (3377, 596, 1000)
    for part in (train, val, test):
        assert list(part.columns) == ["product", "review", "score", "label"]
        assert set(part["score"]) == {"great", "other"}
        assert part["label"].dtype == np.int64
        assert (part["label"] == (part["score"] == "great")).all()
        assert not part["review"].str.contains("<br", regex=False).any()
    assert train["review"].str.contains("\n", regex=False).any()  # <br /> became a newline
    _no_overlap(train["review"], val["review"], test["review"])
    assert abs((train["score"] == "great").mean() - (val["score"] == "great").mean()) < 0.01
    again = data.load_fine_foods()
    pd.testing.assert_frame_equal(again[1], val)
    assert not data.load_fine_foods(seed=1)[1].equals(val)


def test_brown_genres_are_balanced_in_every_split():
    train, val, test = data.load_brown_genres()
    assert (len(train), len(val), len(test)) == (1960, 420, 420)
    assert train["genre"].value_counts().to_dict() == dict.fromkeys(data.BROWN_GENRES, 490)
    assert val["genre"].value_counts().to_dict() == dict.fromkeys(data.BROWN_GENRES, 105)
    for part in (train, val, test):
        assert list(part.columns) == ["genre", "text", "label"]
        assert (part["genre"] == part["label"].map(dict(enumerate(data.BROWN_GENRES)))).all()
        assert part["text"].str.split().str.len().between(20, 100).all()
    _no_overlap(train["text"], val["text"], test["text"])


def test_pride_and_prejudice_holds_out_the_last_chapters():
    train, val, test = data.load_pride_and_prejudice()
    assert train + val + test == (data.DATA_DIR / "pride_and_prejudice.txt").read_text(encoding="utf-8")
    assert train.startswith("PRIDE AND PREJUDICE") and val.startswith("Chapter 54\n")
    assert test.startswith("Chapter 58\n")
    count = [len(re.findall(r"^Chapter \d+$", part, re.M)) for part in (train, val, test)]
    assert count == [53, 4, 4]
    assert len(re.findall(r"^Chapter", data.load_pride_and_prejudice(2, 1)[1], re.M)) == 2


@pytest.mark.parametrize("val_chapters, test_chapters", [(0, 4), (4, -1), (30, 31), (1.5, 2)])
def test_pride_and_prejudice_rejects_bad_chapter_counts(val_chapters, test_chapters):
    with pytest.raises(ValueError, match="chapters"):
        data.load_pride_and_prejudice(val_chapters, test_chapters)


def test_tang_poems():
    train, val, test = data.load_tang_poems()
    assert (len(train), len(val), len(test)) == (2595, 556, 556)
    for poem in train + val + test:
        assert len(poem) == 24 and poem[5::6] == "，。，。"
    _no_overlap(train, val, test)
    assert data.load_tang_poems()[2] == test


@pytest.mark.parametrize("loader, languages, sizes", [
    (data.load_bible_es_en, ("es", "en"), (5115, 1096, 1096)),
    (data.load_deu_eng, ("de", "en"), (9606, 2058, 2058)),
])
def test_translation_pairs(loader, languages, sizes):
    parts = loader()
    assert tuple(len(part) for part in parts) == sizes
    for part in parts:
        assert list(part.columns) == ["source", "target"]
        assert part.attrs["languages"] == languages
        assert (part["source"].str.len() > 0).all() and (part["target"].str.len() > 0).all()
    _no_overlap(*(_pairs(part) for part in parts))


def test_bible_pairs_have_spanish_source_and_english_target():
    train = data.load_bible_es_en()[0]
    spanish, english = r"(?i)\b(?:el|la|los|las|de|que|y)\b", r"(?i)\b(?:the|and|of|to|he|i|you)\b"
    source, target = train["source"].str, train["target"].str
    assert source.contains(spanish).mean() > 0.85 and target.contains(spanish).mean() < 0.05
    assert target.contains(english).mean() > 0.85 and source.contains(english).mean() < 0.05


def test_cmudict_with_and_without_stress():
    train, val, test = data.load_cmudict()
    assert (len(train), len(val), len(test)) == (21000, 4500, 4500)
    _no_overlap(train["word"], val["word"], test["word"])
    assert train["word"].str.fullmatch(r"[a-z]{2,15}").all()
    assert train["phonemes"].str.contains(r"\d").mean() > 0.99  # nearly every word has a stressed vowel
    plain = data.load_cmudict(stress=False)[0]
    assert (plain["word"] == train["word"]).all()
    assert (plain["phonemes"] == train["phonemes"].str.replace(r"\d", "", regex=True)).all()
    assert not plain["phonemes"].str.contains(r"\d").any()


def test_shuffled_splits_are_the_same_everywhere():
    """The seeded splits depend only on the seed: pinned here so that a NumPy or pandas change shows up."""
    assert data.load_cmudict()[1]["word"].head(3).tolist() == PINNED_CMUDICT_VAL
    assert data.load_tang_poems()[2][0] == PINNED_TANG_TEST


# ------------------------------------------------------------------------------------- series loaders


def test_sunspots():
    frame = data.load_sunspots()
    assert frame.shape == (309, 2) and list(frame.columns) == ["year", "sunspots"]
    assert frame["year"].dtype == np.int64 and frame["sunspots"].dtype == np.float64
    assert frame["year"].tolist() == list(range(1700, 2009))


def test_co2_keeps_its_gaps_unless_asked():
    frame = data.load_co2()
    assert frame.shape == (2284, 2) and list(frame.columns) == ["date", "co2"]
    assert pd.api.types.is_datetime64_any_dtype(frame["date"])
    assert (frame["date"].diff().dropna() == pd.Timedelta(days=7)).all()
    assert frame["co2"].isna().sum() == 59
    for fill in ("interpolate", "ffill"):
        filled = data.load_co2(fill=fill)
        assert not filled["co2"].isna().any()
        known = frame["co2"].notna()
        assert (filled.loc[known, "co2"] == frame.loc[known, "co2"]).all()


def test_air_passengers():
    frame = data.load_air_passengers()
    assert frame.shape == (144, 2) and frame["passengers"].dtype == np.int64
    expected = pd.date_range("1949-01-01", periods=144, freq="MS")
    assert (frame["month"].to_numpy() == expected.to_numpy()).all()
    assert frame["passengers"].iloc[:3].tolist() == [112, 118, 132]


def test_nyc_weather_regular_grid_and_gaps():
    frame = data.load_nyc_weather()
    assert list(frame.columns) == ["time", *data.NYC_WEATHER_UNITS]
    assert str(frame["time"].dt.tz) == "UTC"
    assert len(frame) == 8730 and (frame["time"].diff().dropna() == pd.Timedelta(hours=1)).all()
    assert frame["temp"].isna().sum() == 24  # the missing hours
    assert frame["pressure"].isna().sum() == 831 + 24
    recorded = data.load_nyc_weather(regular=False)
    assert len(recorded) == 8706 and recorded["pressure"].isna().sum() == 831
    for fill in ("interpolate", "ffill"):
        assert not data.load_nyc_weather(fill=fill).drop(columns="time").isna().any().any()


def test_nyc_weather_bad_arguments():
    with pytest.raises(ValueError, match="only station 'JFK'"):
        data.load_nyc_weather(station="EWR")
    with pytest.raises(ValueError, match="fill must be one of"):
        data.load_nyc_weather(fill="mean")


def test_fill_gaps_interpolates_in_a_straight_line():
    times = pd.date_range("2020-01-01", periods=5, freq="D")
    frame = pd.DataFrame({"t": times, "x": [np.nan, 1.0, np.nan, 3.0, np.nan]})
    assert data.fill_gaps(frame, "interpolate")["x"].tolist() == [1.0, 1.0, 2.0, 3.0, 3.0]
    assert data.fill_gaps(frame, "ffill")["x"].tolist() == [1.0, 1.0, 1.0, 3.0, 3.0]
    assert data.fill_gaps(frame, None)["x"].isna().sum() == 3 and frame["x"].isna().sum() == 3


def test_load_dispatches_by_name_and_lists_known_names():
    pd.testing.assert_frame_equal(data.load("sunspots"), data.load_sunspots())
    assert len(data.load("cmudict", stress=False)) == 3
    with pytest.raises(ValueError, match=r"unknown data set 'imdb'; known: .*fine_foods.*sunspots"):
        data.load("imdb")


# -------------------------------------------------------------------------------------------- splits


def test_split_by_time_is_chronological():
    frame = data.load_sunspots()
    train, val, test = data.split_by_time(frame)
    assert (len(train), len(val), len(test)) == (217, 46, 46)
    assert train["year"].iloc[-1] + 1 == val["year"].iloc[0]
    assert val["year"].iloc[-1] + 1 == test["year"].iloc[0]
    assert pd.concat([train, val, test]).equals(frame)
    train.loc[:, "sunspots"] = 0.0  # a copy: the source frame is untouched
    assert frame["sunspots"].iloc[0] == 5.0


@pytest.mark.parametrize("val_frac, test_frac, name", [
    (0.0, 0.15, "val_frac"), (0.15, 0.0, "test_frac"), (1.2, 0.1, "val_frac"), (-0.1, 0.1, "val_frac"),
    ("0.1", 0.1, "val_frac"), (True, 0.1, "val_frac"), (0.5, 0.5, r"val_frac \+ test_frac"),
    (0.6, 0.5, r"val_frac \+ test_frac"),
])
def test_split_fractions_are_checked(val_frac, test_frac, name):
    frame = data.load_sunspots()
    for split in (data.split_by_time, data.split_random):
        with pytest.raises(ValueError, match=name):
            split(frame, val_frac, test_frac)


def test_split_that_would_be_empty_is_refused():
    with pytest.raises(ValueError, match="empty"):
        data.split_by_time(pd.DataFrame({"x": [1.0, 2.0, 3.0]}))
    with pytest.raises(ValueError, match="empty"):
        data.split_random(pd.DataFrame({"x": [1.0, 2.0, 3.0]}))


def test_split_by_time_refuses_unsorted_time():
    frame = data.load_co2().sort_values("co2")
    with pytest.raises(ValueError, match="not in increasing time order"):
        data.split_by_time(frame)


def test_split_random_is_seeded_and_stratified():
    frame = pd.DataFrame({"x": range(100), "y": ["a"] * 80 + ["b"] * 20})
    train, val, test = data.split_random(frame, 0.2, 0.1, seed=7, stratify="y")
    assert sorted(pd.concat([train, val, test])["x"]) == list(range(100))
    assert val["y"].value_counts().to_dict() == {"a": 16, "b": 4}
    assert test["y"].value_counts().to_dict() == {"a": 8, "b": 2}
    assert data.split_random(frame, 0.2, 0.1, seed=7, stratify="y")[1].equals(val)


# ------------------------------------------------------------------------------------------- download


def test_download_caches_and_reuses_without_a_second_request(server, cache):
    body = b"x" * 5000
    server.files["/set.bin"] = body
    path = data.download(server.url("/set.bin"), _sha(body))
    assert path == cache / "set.bin" and path.read_bytes() == body
    assert data.download(server.url("/set.bin"), _sha(body)) == path
    assert server.hits == ["/set.bin"]
    assert [p.name for p in cache.iterdir()] == ["set.bin"]  # no temporary file left


def test_download_reuses_a_verified_file_even_offline(down_url, tmp_path):
    (tmp_path / "file.bin").write_bytes(b"cached")
    assert data.download(down_url, _sha(b"cached"), tmp_path).read_bytes() == b"cached"


def test_download_replaces_a_damaged_cached_file(server, cache):
    server.files["/set.bin"] = b"good"
    cache.mkdir()
    (cache / "set.bin").write_bytes(b"damaged")
    assert data.download(server.url("/set.bin"), _sha(b"good")).read_bytes() == b"good"


def test_download_with_wrong_checksum_names_both_digests_and_keeps_nothing(server, cache):
    server.files["/set.bin"] = b"tampered"
    wanted = _sha(b"original")
    with pytest.raises(data.ChecksumError) as caught:
        data.download(server.url("/set.bin"), wanted)
    assert wanted in str(caught.value) and _sha(b"tampered") in str(caught.value)
    assert list(cache.iterdir()) == []


@pytest.mark.parametrize("where", ["down", "/missing.bin", "/truncated/set.bin"])
def test_failed_download_leaves_no_partial_file(where, server, down_url, cache):
    server.files["/truncated/set.bin"] = b"y" * 1000
    url = down_url if where == "down" else server.url(where)
    with pytest.raises(data.NETWORK_ERRORS):
        data.download(url, _sha(b"y" * 1000))
    assert not cache.exists() or list(cache.iterdir()) == []


def test_download_arguments(server, tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="64 hex digits"):
        data.download("http://127.0.0.1/x", "abc")
    server.files["/dir/"] = b"z"
    assert data.download(server.url("/dir/"), _sha(b"z"), tmp_path, filename="z.txt") == tmp_path / "z.txt"
    monkeypatch.delenv(data.CACHE_ENV)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert data.default_cache_dir() == tmp_path / ".cache" / "rnn-notebooks"


def test_download_shows_a_progress_bar_for_large_files(server, capsys, monkeypatch):
    monkeypatch.setattr(data, "PROGRESS_MIN_BYTES", 100)
    server.files["/big.bin"] = b"b" * 1000
    data.download(server.url("/big.bin"), _sha(b"b" * 1000))
    assert "big.bin" in capsys.readouterr().err
    server.files["/small.bin"] = b"s" * 10
    data.download(server.url("/small.bin"), _sha(b"s" * 10))
    assert capsys.readouterr().err == ""


# ------------------------------------------------------------------------------------- full-size sets


@pytest.mark.parametrize("loader, key", [
    (data.load_fine_foods, "imdb"),
    (data.load_pride_and_prejudice, "tiny_shakespeare"),
    (data.load_bible_es_en, "ted_hrlr"),
])
def test_full_size_falls_back_to_the_sample_with_a_one_line_notice(loader, key, down_url, monkeypatch, cache):
    monkeypatch.setitem(data.FULL_SIZE_SETS, key, {**data.FULL_SIZE_SETS[key], "url": down_url})
    with pytest.warns(UserWarning, match="could not be downloaded.*using the shipped") as caught:
        parts = loader(full=True)
    assert len(caught) == 1 and "\n" not in str(caught[0].message)
    for part, sample in zip(parts, loader(), strict=True):
        assert part == sample if isinstance(part, str) else part.equals(sample)
    assert not cache.exists() or list(cache.iterdir()) == []


def test_full_size_checksum_mismatch_is_an_error_not_a_fallback(server, monkeypatch, cache):
    _serve_full_set(monkeypatch, server, "tiny_shakespeare", b"not shakespeare", sha256=_sha(b"shakespeare"))
    with pytest.raises(data.ChecksumError):
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
    _no_overlap(train["review"], val["review"], test["review"])
    data.load_fine_foods(full=True)
    assert len(server.hits) == 1  # the second call reads the cached archive


def test_imdb_reader_refuses_another_archive(tmp_path):
    path = tmp_path / "other.tar.gz"
    path.write_bytes(_tarball({"README": "hello"}))
    with pytest.raises(ValueError, match="IMDB"):
        data.read_imdb_archive(path)


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
    assert _pairs(val)[0] == ("frase dev 0", "sentence dev 0")
    assert train.attrs["languages"] == ("pt", "en")
    with pytest.raises(ValueError, match="no complete language pair 'ru_to_en'; pairs found: pt_to_en, "):
        data.load_bible_es_en(full=True, ted_pair="ru_to_en")
