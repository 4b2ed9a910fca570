"""Unit tests of utils/data.py: the shipped files, every loader and the splits.

The downloads of the full-size sets (`full=True`) are tested in test_download.py, against a local server.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.helpers import assert_no_overlap, rows
from utils import data

README = data.DATA_DIR / "README.md"
NOT_DATA = {"README.md", ".gitattributes"}
PINNED_CMUDICT_VAL = ["nothings", "brunette", "stressing"]
PINNED_TANG_TEST = "獵蕙微風遠，飄弦唳一聲。林梢鳴淅瀝，松徑夜淒清。"


@pytest.fixture
def data_copy(tmp_path, monkeypatch) -> Path:
    """Point the loaders at a scratch copy of data/ that a test may damage."""
    copy = tmp_path / "data"
    shutil.copytree(data.DATA_DIR, copy)
    monkeypatch.setattr(data, "DATA_DIR", copy)
    return copy


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
    path = data_copy / "sunspots_yearly.csv"
    path.write_bytes(path.read_bytes() + b"2009,3.1\n")
    with pytest.raises(data.ChecksumError) as caught:
        data.load_sunspots()
    message = str(caught.value)
    assert "data/sunspots_yearly.csv" in message and "git checkout" in message
    assert data.CHECKSUMS["sunspots_yearly.csv"] in message and data.sha256sum(path) in message


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
    assert_no_overlap(train["review"], val["review"], test["review"])
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
    assert_no_overlap(train["text"], val["text"], test["text"])


def test_pride_and_prejudice_holds_out_the_last_chapters():
    train, val, test = data.load_pride_and_prejudice()
    assert train + val + test == (data.DATA_DIR / "pride_and_prejudice.txt").read_text(encoding="utf-8")
    assert train.startswith("PRIDE AND PREJUDICE") and val.startswith("Chapter 54\n")
    assert test.startswith("Chapter 58\n")
    count = [len(re.findall(r"^Chapter \d+$", part, re.M)) for part in (train, val, test)]
    assert count == [53, 4, 4]
    assert len(re.findall(r"^Chapter", data.load_pride_and_prejudice(2, 1)[1], re.M)) == 2


@pytest.mark.parametrize("val_chapters, test_chapters, error, match", [
    (0, 4, ValueError, "val_chapters must be >= 1, got 0"),
    (4, -1, ValueError, "test_chapters must be >= 1, got -1"),
    (30, 31, ValueError, "val_chapters \\+ test_chapters must be below the 61 chapters, got 61"),
    (1.5, 2, TypeError, "val_chapters must be an int, got float 1.5"),
])
def test_pride_and_prejudice_rejects_bad_chapter_counts(val_chapters, test_chapters, error, match):
    with pytest.raises(error, match=match):
        data.load_pride_and_prejudice(val_chapters, test_chapters)


def test_tang_poems():
    train, val, test = data.load_tang_poems()
    assert (len(train), len(val), len(test)) == (2595, 556, 556)
    for poem in train + val + test:
        assert len(poem) == 24 and poem[5::6] == "，。，。"
    assert_no_overlap(train, val, test)
    assert data.load_tang_poems()[2] == test


def test_bible_pairs_are_split_without_overlap():
    parts = data.load_bible_es_en()
    assert tuple(len(part) for part in parts) == (5115, 1096, 1096)
    for part in parts:
        assert list(part.columns) == ["source", "target"]
        assert part.attrs["languages"] == ("es", "en")
        assert (part["source"].str.len() > 0).all() and (part["target"].str.len() > 0).all()
    assert_no_overlap(*(rows(part) for part in parts))


def test_bible_pairs_have_spanish_source_and_english_target():
    train = data.load_bible_es_en()[0]
    spanish, english = r"(?i)\b(?:el|la|los|las|de|que|y)\b", r"(?i)\b(?:the|and|of|to|he|i|you)\b"
    source, target = train["source"].str, train["target"].str
    assert source.contains(spanish).mean() > 0.85 and target.contains(spanish).mean() < 0.05
    assert target.contains(english).mean() > 0.85 and source.contains(english).mean() < 0.05


def test_cmudict_with_and_without_stress():
    train, val, test = data.load_cmudict()
    assert (len(train), len(val), len(test)) == (21000, 4500, 4500)
    assert_no_overlap(train["word"], val["word"], test["word"])
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


def test_nyc_weather_regular_grid_and_gaps():
    frame = data.load_nyc_weather()
    assert list(frame.columns) == ["time", *data.NYC_WEATHER_UNITS]
    assert str(frame["time"].dt.tz) == "UTC"
    assert len(frame) == 8730 and (frame["time"].diff().dropna() == pd.Timedelta(hours=1)).all()
    assert frame["temp"].isna().sum() == 24  # the missing hours
    assert frame["pressure"].isna().sum() == 831 + 24
    recorded = frame.dropna(subset="temp")  # the rows of the file
    assert len(recorded) == 8706 and recorded["pressure"].isna().sum() == 831
    for fill in ("interpolate", "ffill"):
        filled = data.fill_gaps(frame, fill)
        assert not filled.drop(columns="time").isna().any().any()
        known = frame["pressure"].notna()
        assert (filled.loc[known, "pressure"] == frame.loc[known, "pressure"]).all()  # measured values kept


def test_fill_gaps_interpolates_in_a_straight_line():
    times = pd.date_range("2020-01-01", periods=5, freq="D")
    frame = pd.DataFrame({"t": times, "x": [np.nan, 1.0, np.nan, 3.0, np.nan]})
    assert data.fill_gaps(frame, "interpolate")["x"].tolist() == [1.0, 1.0, 2.0, 3.0, 3.0]
    assert data.fill_gaps(frame, "ffill")["x"].tolist() == [1.0, 1.0, 1.0, 3.0, 3.0]
    assert data.fill_gaps(frame, None)["x"].isna().sum() == 3 and frame["x"].isna().sum() == 3
    with pytest.raises(ValueError, match=r"fill must be one of \(None, 'interpolate', 'ffill'\), got 'mean'"):
        data.fill_gaps(frame, "mean")


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


@pytest.mark.parametrize("val_frac, test_frac, error, name", [
    (0.0, 0.15, ValueError, "val_frac"), (0.15, 0.0, ValueError, "test_frac"),
    (1.2, 0.1, ValueError, "val_frac"), (-0.1, 0.1, ValueError, "val_frac"),
    ("0.1", 0.1, TypeError, "val_frac"), (True, 0.1, TypeError, "val_frac"),
    (None, 0.1, TypeError, "val_frac"), (0.5, 0.5, ValueError, r"val_frac \+ test_frac"),
    (0.6, 0.5, ValueError, r"val_frac \+ test_frac"),
])
def test_split_fractions_are_checked(val_frac, test_frac, error, name):
    frame = data.load_sunspots()
    for split in (data.split_by_time, data.split_random):
        with pytest.raises(error, match=name):
            split(frame, val_frac, test_frac)


@pytest.mark.parametrize("val_frac, error", [(0.0, ValueError), (1.0, ValueError), ("0.2", TypeError)])
def test_fine_foods_validation_fraction_is_checked(val_frac, error):
    with pytest.raises(error, match="val_frac must be a number"):
        data.load_fine_foods(val_frac=val_frac)


def test_split_that_would_be_empty_is_refused():
    with pytest.raises(ValueError, match="empty"):
        data.split_by_time(pd.DataFrame({"x": [1.0, 2.0, 3.0]}))
    with pytest.raises(ValueError, match="empty"):
        data.split_random(pd.DataFrame({"x": [1.0, 2.0, 3.0]}))


def test_split_by_time_refuses_unsorted_time():
    weather = data.load_nyc_weather().sort_values("temp")
    with pytest.raises(ValueError, match="column 'time' is not in increasing time order"):
        data.split_by_time(weather)
    sunspots = data.load_sunspots()
    by_year = sunspots.set_index(pd.to_datetime(sunspots["year"].astype(str), format="%Y")).iloc[::-1]
    with pytest.raises(ValueError, match="the index is not in increasing time order"):
        data.split_by_time(by_year)


def test_split_random_is_seeded_and_stratified():
    frame = pd.DataFrame({"x": range(100), "y": ["a"] * 80 + ["b"] * 20})
    train, val, test = data.split_random(frame, 0.2, 0.1, seed=7, stratify="y")
    assert sorted(pd.concat([train, val, test])["x"]) == list(range(100))
    assert val["y"].value_counts().to_dict() == {"a": 16, "b": 4}
    assert test["y"].value_counts().to_dict() == {"a": 8, "b": 2}
    assert data.split_random(frame, 0.2, 0.1, seed=7, stratify="y")[1].equals(val)
