"""Loaders for the small real data sets in data/; imported by every notebook that reads data (01, 02, 04-12).

Every loader first checks that its file is present and unedited (its SHA-256 against `CHECKSUMS`, the same
values as the table in data/README.md), then returns ready-to-use objects: DataFrames, strings or lists of
strings. Splits are deterministic: a seeded shuffle for texts and pairs, chronological order for series
(`split_by_time`, never shuffled). data/README.md says where each file comes from, its licence and how it
was cut. Series keep their gaps as NaN: fill them per split with `fill_gaps`, after `split_by_time`.

Three loaders take `full=True` for a full-size public set instead of the shipped sample, downloaded once
and verified by `utils/download.py`; when the network fails they warn in one line and return the sample.
"""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from utils.checks import check_choice, check_fractions, check_int
from utils.download import ChecksumError, fetch_full_size, read_imdb_archive, read_ted_archive, sha256sum

DATA_DIR: Path = Path(__file__).resolve().parent.parent / "data"

# SHA-256 of every file in data/ (except README.md and .gitattributes); the same values are in data/README.md.
CHECKSUMS: dict[str, str] = {
    "bible_es_en.tsv": "0792d0cd36ea2c8fdb40555c3f48c84c72f4225874cf3ed8741130d3bb919068",
    "brown_genres.csv": "aff63fbc5237800c68e75a09d7aa51cd8166c19950b9707c27b4a1be786fce64",
    "cmudict_30k.tsv": "75067410ca71b0661ea1329c875c23c39790ce0a8e57acef37f54033196d2061",
    "fine_foods_test.csv": "ad543a26023583c315a277bbad7599f38871f518104f86672888823707ee6e2a",
    "fine_foods_train.csv": "f3a0f950c5b4361e2d45f9a08efed1387b2a5b6980ebd9ccd6196ba33db221e1",
    "nyc_weather_jfk.csv": "cc7ee961dfa9f954d271e8048dc0f2a18dd73391fa7ca592e71c5a2ddec7e019",
    "pride_and_prejudice.txt": "dfc684d4f857fa938268f9ab9c5567b64bd0691251eca959644adeabe6287a4d",
    "sunspots_yearly.csv": "f67889b1d9002cd5227f0e0ef54e35b419cdd85a31279adef6f73fb41e5c0a9b",
    "tang_5char_quatrains.txt": "365f77e519919f87b8083871e6548f9f8ddf95d653b6d27a7f43706f0b1d737f",
    "COPYRIGHT.r-cran-janeaustenr.txt": "794125a4daa8179106fd86596096de4485ac56a0f615988c24a961cd0571586e",
    "COPYRIGHT.r-cran-modeldata.txt": "90bf6755ca3eacdbc6bb006b751926e1aca9784e931fbe080e928542a71d76b3",
    "COPYRIGHT.sword-text-sparv.txt": "bc3162d9f54b0dbc12dba688bfb8e44ccb7370bcb20d5a407d6385e845fe7e7b",
    "COPYRIGHT.sword-text-web.txt": "82147ad33c17e70f9e315f11e92a261fcf3b8e1bf2c75a5cd84ef5f52e5241a2",
    "LICENSE.chinese-poetry.txt": "89c627fc3f9f65efdf438701cc9cc2b5fbf1abf79793c9ec15c05475bd7882cc",
    "LICENSE.cmudict.txt": "bd4ce8e44170a5f9f481310ca85c51de3c4f851a65e679b40e603b143bd3542a",
}

BROWN_GENRES = ("editorial", "hobbies", "news", "romance")  # label = position in this tuple
FILL_METHODS = (None, "interpolate", "ffill")


# --------------------------------------------------------------------------------------------- files


def data_file(name: str) -> Path:
    """Return the path of data/<name> after checking that it exists and has its recorded SHA-256."""
    if name not in CHECKSUMS:
        raise ValueError(f"no data file {name!r} is recorded in CHECKSUMS; known: {', '.join(CHECKSUMS)}")
    path = DATA_DIR / name
    if not path.is_file():
        raise FileNotFoundError(
            f"data/{name} is missing (looked in {DATA_DIR}). Restore it from the repository root with "
            f"`git checkout data/`, or clone the repository again.")
    actual = sha256sum(path)
    if actual != CHECKSUMS[name]:
        raise ChecksumError(
            f"data/{name} was changed: its SHA-256 is {actual}, but {CHECKSUMS[name]} is recorded in "
            f"utils/data.py and data/README.md. Restore it with `git checkout data/{name}`.")
    return path


def _read_csv(name: str, **kwargs: Any) -> pd.DataFrame:
    """Return data/<name> read as CSV (checked first); keyword arguments go to pandas.read_csv."""
    return pd.read_csv(data_file(name), encoding="utf-8", **kwargs)


def _read_tsv(name: str) -> pd.DataFrame:
    """Return a headed, unquoted TSV of strings from data/ (no NaN: "null" or "nan" stay words)."""
    return _read_csv(name, sep="\t", quoting=csv.QUOTE_NONE, dtype=str, keep_default_na=False)


def _read_text(name: str) -> str:
    """Return the text of data/<name> (checked first)."""
    return data_file(name).read_text(encoding="utf-8")


# -------------------------------------------------------------------------------------------- splits


def _split_sizes(n: int, fractions: tuple[float, ...]) -> list[int]:
    """Return [n_train, n_held_out...] for n items: each held-out part is round(n * fraction)."""
    held = [round(n * f) for f in fractions]
    return [n - sum(held), *held]


def _require_nonempty(parts: list, n: int, fractions: tuple[float, ...]) -> None:
    """Raise ValueError naming the sizes when any split came out empty."""
    sizes = [len(p) for p in parts]
    if min(sizes) == 0:
        raise ValueError(f"splitting {n} rows with fractions {fractions} gives split sizes {sizes}: "
                         "one would be empty; use more data or larger fractions")


def _check_time_order(frame: pd.DataFrame | pd.Series) -> None:
    """Raise ValueError when a datetime column (or a datetime index) is not increasing."""
    columns = frame.items() if isinstance(frame, pd.DataFrame) else [(frame.name, frame)]
    checks = [(f"column {name!r}", col) for name, col in columns if pd.api.types.is_datetime64_any_dtype(col)]
    if isinstance(frame.index, pd.DatetimeIndex):
        checks.append(("the index", frame.index))
    for what, values in checks:
        if not values.is_monotonic_increasing:
            raise ValueError(f"{what} is not in increasing time order: sort the frame by time before "
                             "split_by_time (it splits by position and never shuffles)")


def split_by_time(frame: pd.DataFrame, val_frac: float = 0.15,
                  test_frac: float = 0.15) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return (train, val, test): consecutive copies of a time-ordered frame, the latest rows last.

    Nothing is shuffled: validation follows training in time and test follows validation, as a forecast would.
    Each part keeps the frame's index. Sizes: round(n * val_frac) and round(n * test_frac), the rest is train.
    """
    check_fractions(val_frac=val_frac, test_frac=test_frac)
    _check_time_order(frame)
    n_train, n_val, _ = _split_sizes(len(frame), (val_frac, test_frac))
    parts = [frame.iloc[:n_train].copy(), frame.iloc[n_train:n_train + n_val].copy(),
             frame.iloc[n_train + n_val:].copy()]
    _require_nonempty(parts, len(frame), (val_frac, test_frac))
    return tuple(parts)


def _shuffle_split(frame: pd.DataFrame, fractions: tuple[float, ...], seed: int,
                   stratify: str | None = None) -> list[pd.DataFrame]:
    """Return [train, *held_out] frames cut from a seeded shuffle, per class of `stratify` when given."""
    rng = np.random.default_rng(seed)
    groups = [np.arange(len(frame))]
    if stratify is not None:
        classes = frame.groupby(stratify, dropna=False).indices  # class -> row positions
        groups = [classes[key] for key in sorted(classes, key=str)]
    pieces: list[list[np.ndarray]] = [[] for _ in range(len(fractions) + 1)]
    for positions in groups:
        positions = rng.permutation(positions)
        bounds = np.cumsum(_split_sizes(len(positions), fractions))[:-1]
        for piece, part in zip(pieces, np.split(positions, bounds), strict=True):
            piece.append(part)
    parts = [frame.iloc[rng.permutation(np.concatenate(piece))].reset_index(drop=True) for piece in pieces]
    _require_nonempty(parts, len(frame), fractions)
    return parts


def split_random(frame: pd.DataFrame, val_frac: float = 0.15, test_frac: float = 0.15, seed: int = 42, *,
                 stratify: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return (train, val, test): a seeded shuffle of the rows cut in three, each with a fresh index.

    With `stratify` (a column name), every class is split in the same proportions. Use it for independent
    examples (sentences, reviews); never for a time series (see split_by_time).
    """
    check_fractions(val_frac=val_frac, test_frac=test_frac)
    return tuple(_shuffle_split(frame, (val_frac, test_frac), seed, stratify))


def _split_text(text: str, val_frac: float, test_frac: float) -> tuple[str, str, str]:
    """Return (train, val, test) consecutive pieces of a text, cut at the blank line after each fraction."""
    cuts = []
    for start in (1 - val_frac - test_frac, 1 - test_frac):
        blank = text.find("\n\n", int(len(text) * start))
        cuts.append(len(text) if blank < 0 else blank + 2)
    return text[:cuts[0]], text[cuts[0]:cuts[1]], text[cuts[1]:]


# ------------------------------------------------------------------------------------- text cleaning


def _clean_reviews(reviews: pd.Series) -> pd.Series:
    """Return reviews with `<br />` as a newline, other HTML tags dropped and entities (&quot;) decoded."""
    reviews = reviews.str.replace(r"<br\s*/?>", "\n", regex=True, flags=re.IGNORECASE)
    reviews = reviews.str.replace(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>", "", regex=True)
    return reviews.map(html.unescape)


# ---------------------------------------------------------------------------------- text classifiers


def load_fine_foods(val_frac: float = 0.15, seed: int = 42, *,
                    full: bool = False) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return (train, val, test) Amazon Fine Food reviews for sentiment classification.

    Columns: `product` (Amazon product id), `review` (text; each `<br />` became a newline "\\n", other HTML
    tags were dropped, entities such as &quot; decoded), `score` ("great" or "other", the two classes of the
    modeldata package) and `label` (int: 1 for great, 0 for other). The test set is the given one (1000
    reviews); validation is a seeded shuffle of `val_frac` of the given training set, stratified by score.
    full=True: the IMDB reviews instead (25,000 train + 25,000 test, `score` "pos"/"neg", `label` 1 for pos,
    no `product`), downloaded once (84 MB) and read straight from the archive, without extracting it.
    """
    check_fractions(val_frac=val_frac)
    if full and (archive := fetch_full_size("imdb", "Fine Food reviews")) is not None:
        train, test = read_imdb_archive(archive)
        for frame in (train, test):
            frame["review"] = _clean_reviews(frame["review"])
    else:
        train, test = (_fine_foods_file(f"fine_foods_{part}.csv") for part in ("train", "test"))
    train, val = _shuffle_split(train, (val_frac,), seed, stratify="score")
    return train, val, test


def _fine_foods_file(name: str) -> pd.DataFrame:
    """Return one Fine Foods file with cleaned reviews and an integer label."""
    frame = _read_csv(name, dtype=str, keep_default_na=False)
    frame["review"] = _clean_reviews(frame["review"])
    frame["label"] = (frame["score"] == "great").astype("int64")
    return frame


def load_brown_genres(val_frac: float = 0.15, test_frac: float = 0.15,
                      seed: int = 42) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return (train, val, test) Brown corpus paragraphs for topic classification, 700 per genre in all.

    Columns: `genre` (one of BROWN_GENRES), `text` (the paragraph, 20 to 100 tokens separated by spaces as in
    the corpus) and `label` (int: the genre's position in BROWN_GENRES). Seeded shuffle, stratified by genre,
    so every split is balanced.
    """
    frame = _read_csv("brown_genres.csv", dtype=str, keep_default_na=False)
    frame["label"] = frame["genre"].map({genre: i for i, genre in enumerate(BROWN_GENRES)}).astype("int64")
    return split_random(frame, val_frac, test_frac, seed, stratify="genre")


# -------------------------------------------------------------------------------------- text corpora


def load_pride_and_prejudice(val_chapters: int = 4, test_chapters: int = 4, *,
                             full: bool = False) -> tuple[str, str, str]:
    """Return (train, val, test) texts of Pride and Prejudice split by chapters, the last chapters held out.

    The novel has 61 chapters, each starting with a line "Chapter N"; train is the title and chapters
    1 to 61 - val_chapters - test_chapters, then come the validation chapters, then the test chapters.
    Lines are the printed lines of the book ("\\n" at each line end, a blank line between paragraphs).
    full=True: Tiny Shakespeare instead (1.1 MB), its last 10% held out (5% val, 5% test, cut at blank lines).
    """
    if full and (path := fetch_full_size("tiny_shakespeare", "Pride and Prejudice")) is not None:
        return _split_text(path.read_text(encoding="utf-8"), 0.05, 0.05)
    text = _read_text("pride_and_prejudice.txt")
    starts = [m.start() for m in re.finditer(r"^Chapter \d+$", text, flags=re.MULTILINE)]
    val_chapters = check_int("val_chapters", val_chapters, 1)
    test_chapters = check_int("test_chapters", test_chapters, 1)
    if val_chapters + test_chapters >= len(starts):
        raise ValueError(f"val_chapters + test_chapters must be below the {len(starts)} chapters, "
                         f"got {val_chapters + test_chapters}")
    first_val, first_test = starts[-(val_chapters + test_chapters)], starts[-test_chapters]
    return text[:first_val], text[first_val:first_test], text[first_test:]


def load_tang_poems(val_frac: float = 0.15, test_frac: float = 0.15,
                    seed: int = 42) -> tuple[list[str], list[str], list[str]]:
    """Return (train, val, test) lists of five-character Tang quatrains, one poem a string, seeded shuffle.

    Each poem is 24 characters in traditional script: four lines of five characters, each line followed by
    "，" or "。", no newline: "白日依山盡，黃河入海流。欲窮千里目，更上一層樓。" 3,707 distinct poems in all.
    """
    poems = _read_text("tang_5char_quatrains.txt").splitlines()
    parts = split_random(pd.DataFrame({"poem": poems}), val_frac, test_frac, seed)
    return tuple(part["poem"].tolist() for part in parts)


# ----------------------------------------------------------------------------------- sequence pairs


def _pairs(frame: pd.DataFrame, source: str, target: str) -> pd.DataFrame:
    """Return a two-column frame renamed to source, target (languages kept in .attrs)."""
    pairs = frame[[source, target]].rename(columns={source: "source", target: "target"})
    pairs.attrs["languages"] = (source, target)
    return pairs


def _with_attrs(parts: list[pd.DataFrame], attrs: dict) -> tuple[pd.DataFrame, ...]:
    """Return the frames with `attrs` set on each (pandas does not carry attrs through every operation)."""
    for part in parts:
        part.attrs.update(attrs)
    return tuple(parts)


def load_bible_es_en(val_frac: float = 0.15, test_frac: float = 0.15, seed: int = 42, *, full: bool = False,
                     ted_pair: str = "pt_to_en") -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return (train, val, test) Spanish -> English Bible verses: columns `source` (es) and `target` (en).

    7,307 distinct verse pairs, both sides at most 16 words (Reina-Valera 1909 and the World English Bible,
    both public domain), seeded shuffle. `.attrs["languages"]` is ("es", "en").
    full=True: the TED talk pairs instead (131 MB download), language pair `ted_pair` (a folder of the
    archive, e.g. "pt_to_en", "ru_to_en", "tr_to_en"), with the archive's own train/dev/test split.
    """
    if full and (archive := fetch_full_size("ted_hrlr", "Bible verse pairs")) is not None:
        return read_ted_archive(archive, ted_pair)
    pairs = _pairs(_read_tsv("bible_es_en.tsv"), "es", "en")
    return _with_attrs(split_random(pairs, val_frac, test_frac, seed), pairs.attrs)


def load_cmudict(stress: bool = True, val_frac: float = 0.15, test_frac: float = 0.15,
                 seed: int = 42) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return (train, val, test) grapheme-to-phoneme pairs: columns `word` and `phonemes`, seeded shuffle.

    30,000 words of 2-15 letters a-z from the CMU Pronouncing Dictionary, one pronunciation each.
    `phonemes` is a space-separated ARPAbet string such as "K AE1 T"; stress=False strips the stress digits
    (0 none, 1 primary, 2 secondary): "K AE T".
    """
    frame = _read_tsv("cmudict_30k.tsv")
    if not stress:
        frame["phonemes"] = frame["phonemes"].str.replace(r"\d", "", regex=True)
    return split_random(frame, val_frac, test_frac, seed)


# ---------------------------------------------------------------------------------------- time series


def fill_gaps(frame: pd.DataFrame, fill: str | None) -> pd.DataFrame:
    """Return a copy of a regular, time-ordered frame with the NaN of its numeric columns kept or filled.

    fill=None keeps every gap as NaN (as the loaders return them: a model must not see invented values
    unknowingly); "interpolate" draws straight lines across gaps (rows are evenly spaced, so linear in time);
    "ffill" repeats the last value seen. Both fill a leading gap with the first value seen. Call it on each
    part that split_by_time returned: filling before the split lets values near each border depend on the
    next split.
    """
    check_choice("fill", fill, FILL_METHODS)
    frame = frame.copy()
    columns = frame.select_dtypes("number").columns
    if fill == "interpolate":
        frame[columns] = frame[columns].interpolate(limit_direction="both")
    elif fill == "ffill":
        frame[columns] = frame[columns].ffill().bfill()
    return frame


def load_sunspots() -> pd.DataFrame:
    """Return yearly mean sunspot numbers 1700-2008: `year` (int) and `sunspots` (float), 309 rows."""
    frame = _read_csv("sunspots_yearly.csv")
    return pd.DataFrame({"year": frame["YEAR"].astype("int64"),
                         "sunspots": frame["SUNACTIVITY"].astype("float64")})


NYC_WEATHER_UNITS = {
    "temp": "°F", "dewp": "°F (dew point)", "humid": "% relative humidity", "wind_dir": "degrees",
    "wind_speed": "mph", "wind_gust": "mph", "precip": "inches", "pressure": "millibars (sea level)",
    "visib": "miles",
}


def load_nyc_weather() -> pd.DataFrame:
    """Return the hourly 2013 weather at JFK airport: `time` (datetime, UTC) and nine numeric columns.

    Columns and units in NYC_WEATHER_UNITS: temp, dewp, humid, wind_dir, wind_speed, wind_gust, precip,
    pressure, visib. The rows lie on an evenly spaced hourly grid (8,730 rows); the gaps are NaN as recorded:
    24 hours are missing (NaN rows), pressure is NaN in 9.5% of the recorded rows, wind_dir in 51, wind_speed
    in 3, and wind_gust in 83% (no gust reported; better dropped than filled). Fill the others per split with
    fill_gaps. Only the JFK station is shipped (EWR and LGA are in the R package nycflights13).
    """
    frame = _read_csv("nyc_weather_jfk.csv")
    frame.insert(0, "time", pd.to_datetime(frame.pop("time_hour"), utc=True))
    grid = pd.date_range(frame["time"].iloc[0], frame["time"].iloc[-1], freq=pd.Timedelta(hours=1))
    return frame.set_index("time").reindex(grid).rename_axis("time").reset_index()
