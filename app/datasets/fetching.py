"""Fetching an image dataset's archives: torchvision's mirrors and md5s, read when called,
streamed with a timeout, progress and cancel into `.part` files, then unpacked into place.

Nothing partial outlives a failure: a `.part` file is renamed only once its md5 matches, and
archives are unpacked into a temporary folder whose files are then moved where load() reads.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.datasets.vision import DownloadCancelled, VisionDataset, damaged
from models.translation import _

_CHUNK = 64 * 1024


class FetchFailed(Exception):
    """A download failed; the message says why, in words that follow "Could not download X:"."""


def fetch_archives(
    dataset: VisionDataset,
    root: Path,
    *,
    progress: Callable[[int, int | None], None] | None,
    cancelled: Callable[[], bool] | None,
    timeout: float,
) -> None:
    """Download and unpack the archives `dataset` still lacks under `root` (see
    app.datasets.vision.download). Raises DownloadCancelled or FetchFailed."""
    import http.client
    import tarfile
    import zlib

    needed = [fetch for fetch in _fetches(dataset, root) if not fetch.done()]
    try:
        to_download = []
        for fetch in needed:
            if fetch.path.is_file() and _md5(fetch.path) == fetch.md5:
                _unpack(fetch.path, fetch.unpack_to)  # already downloaded earlier
            else:
                to_download.append(fetch)
        dead_hosts: dict[str, Exception] = {}
        planned = []
        for fetch in to_download:
            _stop_if(cancelled)
            planned.append((fetch, *_probe(fetch.urls, timeout, dead_hosts)))
        lengths = [length for _fetch, _url, length in planned]
        total = None if None in lengths else sum(lengths)
        done = 0

        def received(count: int) -> None:
            nonlocal done
            done += count
            if progress is not None:
                progress(done, total)

        received(0)
        for fetch, url, _length in planned:
            _fetch(url, fetch.path, fetch.md5, timeout, received, cancelled)
            try:
                _stop_if(cancelled)  # unpacking CIFAR-10 takes seconds: not after a Cancel
                _unpack(fetch.path, fetch.unpack_to)
            finally:
                fetch.path.unlink()
    except _NetworkError as error:
        reason = _network_reason(error, timeout)
    except _Damaged as error:
        reason = _("{file} arrived damaged (its checksum does not match)").format(file=error)
    except (OSError, RuntimeError, EOFError, http.client.HTTPException, tarfile.TarError) as error:
        reason = _("the files could not be saved in {folder} ({error})").format(
            folder=root, error=error
        )
    except zlib.error as error:
        reason = _("the files could not be unpacked ({error})").format(error=error)
    else:
        return
    raise FetchFailed(reason)


def unpack_archives(dataset: VisionDataset, root: Path) -> None:
    """Unpack archives that a user put in place as downloaded, after checking their md5s."""
    for fetch in _fetches(dataset, root):
        if fetch.done() or not fetch.path.is_file():
            continue
        if _md5(fetch.path) != fetch.md5:
            reason = _("{file} does not match its checksum").format(file=fetch.path.name)
            raise damaged(dataset, root, reason)
        try:
            _unpack(fetch.path, fetch.unpack_to)
        except (OSError, EOFError, RuntimeError) as error:
            # Translators: an archive's file name, then what its unpacking raised.
            reason = _("{file}: {error}").format(file=fetch.path.name, error=error)
            raise damaged(dataset, root, reason) from error


@dataclass(frozen=True)
class _Fetch:
    """One archive to download: from any of `urls`, checked against `md5`, unpacked into
    `unpack_to`, where it provides `provides`."""

    urls: tuple[str, ...]
    path: Path
    md5: str
    unpack_to: Path
    provides: tuple[Path, ...]

    def done(self) -> bool:
        return all(path.is_file() for path in self.provides)


class _NetworkError(Exception):
    def __init__(self, url: str, error: BaseException) -> None:
        super().__init__(url, error)
        self.url = url
        self.error = error


class _Damaged(Exception):
    """A downloaded file whose md5 is not the one torchvision knows."""


def _fetches(dataset: VisionDataset, root: Path) -> list[_Fetch]:
    """The archives and mirrors torchvision's class lists, read when called (tests point them
    at a local server by setting the class attributes)."""
    import torchvision.datasets

    source_class = getattr(torchvision.datasets, dataset.torchvision_class)
    folder = root / dataset.data_folder
    if issubclass(source_class, torchvision.datasets.MNIST):
        return [
            _Fetch(
                tuple(f"{mirror}{filename}" for mirror in source_class.mirrors),
                root / dataset.archive_folder / filename,
                md5,
                folder,
                (folder / os.path.splitext(filename)[0],),
            )
            for filename, md5 in source_class.resources
        ]
    return [
        _Fetch(
            (source_class.url,),
            root / dataset.archive_folder / source_class.filename,
            source_class.tgz_md5,
            root,
            tuple(folder / file for file in dataset.files),
        )
    ]


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _request(url: str, method: str = "GET") -> Any:
    import urllib.request

    from torchvision.datasets.utils import USER_AGENT

    return urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})


def _stop_if(cancelled: Callable[[], bool] | None) -> None:
    if cancelled is not None and cancelled():
        raise DownloadCancelled


def _probe(
    urls: tuple[str, ...], timeout: float, dead_hosts: dict[str, Exception]
) -> tuple[str, int | None]:
    """The first mirror that has the file, and its size. A mirror that does not answer is
    not asked again for the other files, so a dead network costs one timeout per mirror."""
    import http.client
    import urllib.error
    import urllib.request
    from urllib.parse import urlsplit

    failure: _NetworkError | None = None
    for url in urls:
        host = urlsplit(url).netloc
        if host in dead_hosts:
            failure = _NetworkError(url, dead_hosts[host])
            continue
        try:
            with urllib.request.urlopen(_request(url, "HEAD"), timeout=timeout) as response:
                length = response.headers.get("Content-Length", "")
                return url, int(length) if length.isdigit() else None
        except urllib.error.HTTPError as error:
            if error.code in (405, 501):  # a server that will not say the size
                return url, None
            failure = _NetworkError(url, error)
        except (OSError, http.client.HTTPException) as error:
            dead_hosts[host] = error
            failure = _NetworkError(url, error)
    assert failure is not None
    raise failure


def _fetch(
    url: str,
    path: Path,
    md5: str,
    timeout: float,
    received: Callable[[int], None],
    cancelled: Callable[[], bool] | None,
) -> None:
    """Stream `url` into `path`.part, check its md5, then rename it to `path`."""
    import http.client
    import urllib.request

    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f"{path.name}.part")
    digest = hashlib.md5(usedforsecurity=False)
    try:
        try:
            response = urllib.request.urlopen(_request(url), timeout=timeout)
        except (OSError, http.client.HTTPException) as error:
            raise _NetworkError(url, error) from error
        with response, open(part, "wb") as file:
            while True:
                _stop_if(cancelled)
                try:
                    chunk = response.read(_CHUNK)
                except (OSError, http.client.HTTPException) as error:
                    raise _NetworkError(url, error) from error
                if not chunk:
                    break
                file.write(chunk)
                digest.update(chunk)
                received(len(chunk))
        if digest.hexdigest() != md5:
            raise _Damaged(path.name)
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)


def _unpack(archive: Path, destination: Path) -> None:
    """Extract with torchvision's helper into a temporary folder, then move each file into
    place, so a failure leaves no half-written file where load() would read it."""
    from torchvision.datasets.utils import extract_archive

    destination.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(dir=destination, prefix=".layerlab-unpack-"))
    try:
        extract_archive(str(archive), str(temporary))
        for source in sorted(path for path in temporary.rglob("*") if path.is_file()):
            target = destination / source.relative_to(temporary)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def _network_reason(failure: _NetworkError, timeout: float) -> str:
    import urllib.error
    from urllib.parse import urlsplit

    error = failure.error
    if isinstance(error, urllib.error.HTTPError):
        return _("the server answered {code} {reason} for {url}").format(
            code=error.code, reason=error.reason, url=failure.url
        )
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(reason, TimeoutError):
        return _("the server did not answer within {timeout:g} s (are you offline?)").format(
            timeout=timeout
        )
    host = urlsplit(failure.url).hostname or failure.url
    detail = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
    return _("{host} could not be reached ({detail}; are you offline?)").format(
        host=host, detail=detail
    )
