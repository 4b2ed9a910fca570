"""Checksummed downloads into a local cache, and the full-size public sets that the loaders can fetch.

No notebook imports this module: the loaders of `utils/data.py` call `fetch_full_size` when asked for the
full-size set (`full=True`). What it gives:
- `download(url, sha256)`: the path of a verified copy in the cache folder (`default_cache_dir()`), fetched
  once, streamed with a progress bar for large files, renamed into place only after its SHA-256 matched;
- `FULL_SIZE_SETS`: where each full-size set lives, its size and SHA-256; `fetch_full_size(key, sample)`
  downloads one, or warns in one line and returns None when the network fails (the loader then falls back
  to its shipped sample);
- `read_imdb_archive` and `read_ted_archive`: DataFrames read straight from the downloaded archives;
- `sha256sum` and `ChecksumError`, shared with the checks of the shipped files in `utils/data.py`.

A failed download raises `DownloadError`, which names the URL; a wrong digest raises `ChecksumError`, which
names both digests. Either way the cache is left without a partial or unverified file.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import tarfile
import tempfile
import urllib.parse
import urllib.request
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import pandas as pd

from utils.checks import check_number, check_text

if TYPE_CHECKING:
    from tqdm import tqdm

CACHE_ENV = "RNN_NOTEBOOKS_CACHE"  # overrides the download cache folder, ~/.cache/rnn-notebooks
PROGRESS_MIN_BYTES = 1 << 20  # downloads at least this large show a progress bar

# Full-size public sets offered as opt-in downloads (digests as recorded by TensorFlow Datasets).
FULL_SIZE_SETS: dict[str, dict[str, str | int]] = {
    "imdb": {
        "title": "IMDB movie reviews (Maas et al. 2011)",
        "url": "http://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
        "filename": "aclImdb_v1.tar.gz",
        "size": 84_125_825,
        "sha256": "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe",
    },
    "tiny_shakespeare": {
        "title": "Tiny Shakespeare (Karpathy's char-rnn)",
        "url": "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
        "filename": "tinyshakespeare.txt",
        "size": 1_115_394,
        "sha256": "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
    },
    "ted_hrlr": {
        "title": "TED talk translations (Qi et al. 2018)",
        "url": "http://www.phontron.com/data/qi18naacl-dataset.tar.gz",
        "filename": "qi18naacl-dataset.tar.gz",
        "size": 131_005_909,
        "sha256": "216a86c3df4d4f522856fe9b920ff5be6b394d769cc88974ae8f9f5546953bbc",
    },
}

# What counts as "offline": connection refused, DNS failure, timeout, HTTP error, truncated transfer.
NETWORK_ERRORS = (OSError, http.client.HTTPException)


class ChecksumError(ValueError):
    """A file's SHA-256 is not the recorded one (an edited data file or a bad download)."""


class DownloadError(ConnectionError):
    """A download failed (no network, HTTP error, truncated transfer); the message names the URL."""


def sha256sum(path: str | os.PathLike) -> str:
    """Return the SHA-256 of a file as 64 lowercase hex digits."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def default_cache_dir() -> Path:
    """Return the download cache folder: $RNN_NOTEBOOKS_CACHE if set, else ~/.cache/rnn-notebooks."""
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "rnn-notebooks").expanduser()


def _progress_bar(total: int | None, name: str, enabled: bool) -> tqdm | None:
    """Return a tqdm byte counter for a large download, or None (small file, disabled, tqdm missing)."""
    if not enabled or (total is not None and total < PROGRESS_MIN_BYTES):
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=name)


def _stream(url: str, out: BinaryIO, name: str, progress: bool, timeout: float) -> str:
    """Return the SHA-256 of the body of `url` after copying it into the open binary file `out`."""
    digest, received = hashlib.sha256(), 0
    request = urllib.request.Request(url, headers={"User-Agent": "rnn-notebooks (utils/download.py)"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        bar = _progress_bar(total, name, progress)
        try:
            for block in iter(lambda: response.read(1 << 20), b""):
                out.write(block)
                digest.update(block)
                received += len(block)
                if bar is not None:
                    bar.update(len(block))
        finally:
            if bar is not None:
                bar.close()
    if total is not None and received != total:
        raise ConnectionError(f"incomplete transfer: {received} of {total} bytes arrived")
    return digest.hexdigest()


def _reason(error: BaseException) -> str:
    """Return an error's message on one line (its type name when it has none)."""
    return " ".join(str(error).split()) or type(error).__name__


def download(url: str, sha256: str, cache_dir: str | os.PathLike | None = None, *,
             filename: str | None = None, progress: bool = True, timeout: float = 30.0) -> Path:
    """Return the path of a verified copy of `url` in the cache, downloading it only when needed.

    A cached file whose SHA-256 matches is returned without any request; a cached file that does not match is
    deleted and fetched again. The body is streamed into a temporary file in the cache folder, its SHA-256
    checked, and the file renamed into place atomically (os.replace), so the cache never holds a partial or
    unverified file under the final name. A wrong digest raises ChecksumError naming both digests; a network
    failure raises DownloadError (an OSError) naming the URL; either way the temporary file is deleted.
    `cache_dir` defaults to default_cache_dir(); `filename` to the last part of the URL path.
    """
    check_text("url", url)
    if urllib.parse.urlparse(url).scheme not in ("http", "https"):
        raise ValueError(f"url must start with http:// or https://, got {url!r}")
    expected = check_text("sha256", sha256).lower()
    if not re.fullmatch(r"[0-9a-f]{64}", expected):
        raise ValueError(f"sha256 must be 64 hex digits, got {sha256!r}")
    timeout = check_number("timeout", timeout, minimum=0, strict=True)
    folder = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
    name = filename or Path(urllib.parse.urlparse(url).path).name
    if not name or Path(name).name != name:
        raise ValueError(f"cannot name the file from the URL {url!r}: pass filename= (a plain file name)")
    target = folder / name
    if target.is_file():
        if sha256sum(target) == expected:
            return target
        target.unlink()  # a stale or damaged copy: fetch it again
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            try:
                actual = _stream(url, out, name, progress, timeout)
            except NETWORK_ERRORS as error:
                raise DownloadError(f"could not download {url}: {_reason(error)}") from error
        if actual != expected:
            raise ChecksumError(f"SHA-256 mismatch for {url}: expected {expected}, got {actual}. "
                                "The download was discarded; nothing was kept in the cache.")
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def fetch_full_size(key: str, sample: str) -> Path | None:
    """Return the cached full-size set `key` of FULL_SIZE_SETS, or None after a one-line warning when the
    network fails (the warning says that the shipped `sample` is used instead). A wrong digest is an error."""
    if key not in FULL_SIZE_SETS:
        raise ValueError(f"no full-size set {key!r}; known: {', '.join(FULL_SIZE_SETS)}")
    spec = FULL_SIZE_SETS[key]
    try:
        return download(str(spec["url"]), str(spec["sha256"]), filename=str(spec["filename"]))
    except NETWORK_ERRORS as error:
        warnings.warn(f"{spec['title']} could not be downloaded ({_reason(error)}); using the shipped "
                      f"{sample} instead.", UserWarning, stacklevel=3)
        return None


# ------------------------------------------------------------------------------------ archive readers


_IMDB_MEMBER = re.compile(r"(?:^|/)aclImdb/(train|test)/(pos|neg)/(\d+)_(\d+)\.txt$")


def read_imdb_archive(path: str | os.PathLike) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (train, test) DataFrames (review, score, label) read from aclImdb_v1.tar.gz, not extracted.

    Reviews are as written, with their `<br />` tags (`data.load_fine_foods(full=True)` cleans them). Only
    aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt are read (the unlabelled reviews are skipped); rows are
    sorted by score and id so that the result does not depend on the order inside the archive.
    """
    rows: dict[str, list[tuple[str, int, str]]] = {"train": [], "test": []}
    with tarfile.open(path, "r:gz") as archive:
        for member in archive:
            match = _IMDB_MEMBER.search(member.name)
            if match and member.isfile():
                split, score, number, _ = match.groups()
                text = archive.extractfile(member).read().decode("utf-8")
                rows[split].append((score, int(number), text))
    if not rows["train"] or not rows["test"]:
        raise ValueError(f"{path} holds no aclImdb/train and aclImdb/test reviews: is it the IMDB archive?")
    return tuple(_imdb_frame(rows[split]) for split in ("train", "test"))


def _imdb_frame(rows: list[tuple[str, int, str]]) -> pd.DataFrame:
    """Return the IMDB rows as a DataFrame with the reviews as written, score and label."""
    frame = pd.DataFrame(sorted(rows), columns=["score", "id", "review"])
    frame["label"] = (frame["score"] == "pos").astype("int64")
    return frame[["review", "score", "label"]]


_TED_MEMBER = re.compile(r"(?:^|/)datasets/([^/]+)/([^/]+)$")


def read_ted_archive(path: str | os.PathLike,
                     pair: str = "pt_to_en") -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return (train, val, test) pairs (`source`, `target`) of one language pair of qi18naacl-dataset.tar.gz.

    Reads datasets/<src>_to_<tgt>/<lang>.{train,dev,test} (one sentence a line, the two files aligned) without
    extracting the archive; pairs with an empty side are dropped, as TensorFlow Datasets does.
    """
    source, _, target = check_text("pair", pair).partition("_to_")
    files = {split: (f"{source.replace('_', '-') if split == 'train' else source.split('_')[0]}.{split}",
                     f"{target}.{split}") for split in ("train", "dev", "test")}
    wanted = {name for names in files.values() for name in names}
    texts, pairs_seen = {}, set()
    with tarfile.open(path, "r:gz") as archive:
        for member in archive:
            match = _TED_MEMBER.search(member.name)
            if match and member.isfile():
                pairs_seen.add(match.group(1))
                if match.group(1) == pair and match.group(2) in wanted:
                    texts[match.group(2)] = archive.extractfile(member).read().decode("utf-8")
    if not target or wanted - texts.keys():
        raise ValueError(f"{Path(path).name} has no complete language pair {pair!r}; "
                         f"pairs found: {', '.join(sorted(pairs_seen)) or 'none'}")
    parts = tuple(_aligned_pairs(texts[src], texts[tgt], src) for src, tgt in files.values())
    for part in parts:
        part.attrs["languages"] = (source, target)
    return parts


def _aligned_pairs(source_text: str, target_text: str, name: str) -> pd.DataFrame:
    """Return the line-aligned pairs of two texts, dropping pairs where either side is empty."""
    sources, targets = source_text.split("\n"), target_text.split("\n")
    if len(sources) != len(targets):
        raise ValueError(f"{name}: {len(sources)} source lines but {len(targets)} target lines")
    rows = [(s, t) for s, t in zip(sources, targets, strict=True) if s.strip() and t.strip()]
    return pd.DataFrame(rows, columns=["source", "target"])
