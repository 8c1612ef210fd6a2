"""Image datasets: read through torchvision's real classes from tiny files in the real formats,
cached beside the data, downloaded from a local server with a timeout, progress and cancel."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torchvision.datasets

from app.datasets import DataConfig
from app.datasets import load as load_any
from app.datasets.vision import (
    VISION_DATASETS,
    DataMissing,
    DownloadCancelled,
    DownloadError,
    download,
    is_present,
    load,
    missing_message,
)
from tests.vision_files import (
    accept_cifar10_files,
    pattern_labels,
    point_downloads_at,
    serve_folder,
    unresponsive_server,
    write_cifar10,
    write_mnist_family,
)

ROOT = Path(__file__).resolve().parents[2]
MNIST_FAMILY = {"mnist": "MNIST", "fashion_mnist": "FashionMNIST", "kmnist": "KMNIST"}


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    """Downloads go straight to the local test servers, whatever proxy the machine sets."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


def files_under(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def assert_same_arrays(data, written):
    assert np.array_equal(data.x_train, written.x_train)
    assert np.array_equal(data.y_train, written.y_train)
    assert np.array_equal(data.x_val, written.x_test)
    assert np.array_equal(data.y_val, written.y_test)


def assert_paired(data):
    assert np.array_equal(pattern_labels(data.x_train), data.y_train)
    assert np.array_equal(pattern_labels(data.x_val), data.y_val)


def run_python(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


# The catalog and torchvision agree -------------------------------------------------------


@pytest.mark.parametrize("name", sorted(VISION_DATASETS))
def test_catalog_names_the_files_torchvision_reads(name):
    dataset = VISION_DATASETS[name]
    source = getattr(torchvision.datasets, dataset.torchvision_class)
    if name in MNIST_FAMILY:
        assert dataset.data_folder == f"{source.__name__}/raw"
        assert dataset.archives == tuple(filename for filename, _ in source.resources)
        assert dataset.files == tuple(filename[:-3] for filename, _ in source.resources)
        if name != "mnist":  # the catalog names digits "0".."9", torchvision "0 - zero"..
            assert dataset.class_names == tuple(source.classes)
        assert len(dataset.class_names) == len(source.classes)
    else:
        assert dataset.data_folder == source.base_folder
        assert dataset.train_files == (*(f for f, _ in source.train_list), source.meta["filename"])
        assert dataset.test_files == (*(f for f, _ in source.test_list), source.meta["filename"])
        assert dataset.archives == (source.filename,)


# Loading through torchvision's classes ---------------------------------------------------


@pytest.mark.parametrize("name", sorted(MNIST_FAMILY))
def test_mnist_family_loads_paired_uint8_images(tmp_path, name):
    written = write_mnist_family(tmp_path, MNIST_FAMILY[name], train=60, test=20, seed=3)
    assert is_present(name, tmp_path)
    data = load_any(DataConfig(name), tmp_path)
    dataset = VISION_DATASETS[name]
    assert data.x_train.shape == (60, 1, 28, 28) and data.x_val.shape == (20, 1, 28, 28)
    assert data.x_train.dtype == np.uint8 and data.y_train.dtype == np.int64
    assert_same_arrays(data, written)
    assert_paired(data)
    assert data.task.kind == "classification" and data.task.outputs == 10
    assert data.class_names == dataset.class_names
    assert data.normalization == (dataset.mean, dataset.std)
    assert data.input_shape == dataset.input_shape


def test_cifar10_loads_paired_channel_first_images(tmp_path, monkeypatch):
    accept_cifar10_files(monkeypatch)
    written = write_cifar10(tmp_path, train_per_batch=8, test=12, seed=5)
    data = load(DataConfig("cifar10"), tmp_path)
    assert data.x_train.shape == (40, 3, 32, 32) and data.x_val.shape == (12, 3, 32, 32)
    assert data.x_train.dtype == np.uint8 and data.y_val.dtype == np.int64
    assert data.x_train.flags.c_contiguous
    assert_same_arrays(data, written)
    assert_paired(data)
    assert data.class_names == VISION_DATASETS["cifar10"].class_names
    assert data.normalization == ((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616))


def test_cifar10_files_that_fail_torchvisions_checksums_are_reported_damaged(tmp_path):
    write_cifar10(tmp_path)
    with pytest.raises(DataMissing, match="could not be read") as caught:
        load(DataConfig("cifar10"), tmp_path)
    assert str(tmp_path / "cifar-10-batches-py") in str(caught.value)


def test_truncated_idx_file_is_reported_damaged_not_a_traceback(tmp_path):
    written = write_mnist_family(tmp_path)
    images = written.paths[0]
    images.write_bytes(images.read_bytes()[:1000])
    with pytest.raises(DataMissing, match="could not be read.*download them again"):
        load(DataConfig("mnist"), tmp_path)


# Subsets ---------------------------------------------------------------------------------


def test_subset_is_seeded_proportional_and_keeps_pairs(tmp_path):
    written = write_mnist_family(tmp_path, train=300, test=100)
    first = load(DataConfig("mnist", subset=100, seed=1), tmp_path)
    again = load(DataConfig("mnist", subset=100, seed=1), tmp_path)
    other = load(DataConfig("mnist", subset=100, seed=2), tmp_path)
    assert len(first.x_train) == len(first.y_train) == 100
    assert len(first.x_val) == len(first.y_val) == 33  # round(100 * 100 / 300)
    assert np.array_equal(first.x_train, again.x_train)
    assert np.array_equal(first.x_val, again.x_val)
    assert not np.array_equal(first.x_train, other.x_train)
    assert_paired(first)
    assert_paired(other)
    originals = {
        image.tobytes(): label
        for image, label in zip(written.x_train, written.y_train, strict=True)
    }
    assert all(
        originals[x.tobytes()] == y for x, y in zip(first.x_train, first.y_train, strict=True)
    )
    assert len({image.tobytes() for image in first.x_train}) == 100


def test_subset_keeps_at_least_one_validation_image_and_zero_means_all(tmp_path):
    write_mnist_family(tmp_path, train=300, test=2)
    small = load(DataConfig("mnist", subset=100), tmp_path)
    assert (len(small.x_train), len(small.x_val)) == (100, 1)
    everything = load(DataConfig("mnist", subset=0), tmp_path)
    assert (len(everything.x_train), len(everything.x_val)) == (300, 2)


# The cache -------------------------------------------------------------------------------


def test_first_load_writes_a_plain_numpy_cache_beside_the_data(tmp_path):
    written = write_mnist_family(tmp_path, class_name="KMNIST")
    load(DataConfig("kmnist"), tmp_path)
    cache = tmp_path / "KMNIST" / "layerlab-cache"
    assert files_under(cache) == ["test.npz", "train.npz"]
    with np.load(cache / "train.npz", allow_pickle=False) as arrays:
        assert np.array_equal(arrays["images"], written.x_train)
        assert np.array_equal(arrays["labels"], written.y_train)
        meta = json.loads(str(arrays["meta"]))
    assert meta["split"] == "train" and meta["dataset"] == "kmnist"
    images = tmp_path / "KMNIST" / "raw" / "train-images-idx3-ubyte"
    stat = images.stat()
    assert ["train-images-idx3-ubyte", stat.st_size, stat.st_mtime_ns] in meta["sources"]


def test_cached_load_reads_numpy_only_and_gives_the_same_arrays(tmp_path):
    write_mnist_family(tmp_path, train=50, test=10)
    first = load(DataConfig("mnist", subset=20, seed=4), tmp_path)
    code = (
        "import sys, hashlib\n"
        "from pathlib import Path\n"
        "from app.datasets import DataConfig\n"
        "from app.datasets.vision import load\n"
        f"data = load(DataConfig('mnist', subset=20, seed=4), Path({str(tmp_path)!r}))\n"
        "digest = hashlib.sha256()\n"
        "for array in (data.x_train, data.y_train, data.x_val, data.y_val):\n"
        "    digest.update(array.tobytes())\n"
        "print('torchvision' in sys.modules, 'torch' in sys.modules, digest.hexdigest())\n"
    )
    digest = hashlib.sha256()
    for array in (first.x_train, first.y_train, first.x_val, first.y_val):
        digest.update(array.tobytes())
    assert run_python(code) == f"False False {digest.hexdigest()}"


def test_importing_and_asking_about_files_stays_torch_free(tmp_path):
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from app.datasets import vision\n"
        f"root = Path({str(tmp_path)!r})\n"
        "vision.is_present('cifar10', root); vision.missing_message('mnist', root)\n"
        "try:\n"
        "    vision.load(vision.DataConfig('mnist'), root)\n"
        "except vision.DataMissing:\n"
        "    pass\n"
        "print(sorted(m for m in ('torch', 'torchvision', 'PySide6') if m in sys.modules))\n"
    )
    assert run_python(code) == "[]"


def test_changed_source_files_rebuild_the_cache(tmp_path):
    write_mnist_family(tmp_path, seed=1)
    load(DataConfig("mnist"), tmp_path)
    images = tmp_path / "MNIST" / "raw" / "train-images-idx3-ubyte"
    old_mtime = images.stat().st_mtime_ns
    rewritten = write_mnist_family(tmp_path, seed=2)
    for path in rewritten.paths:
        os.utime(path, ns=(old_mtime + 10**9, old_mtime + 10**9))
    data = load(DataConfig("mnist"), tmp_path)
    assert_same_arrays(data, rewritten)


def test_changed_size_alone_rebuilds_the_cache(tmp_path):
    write_mnist_family(tmp_path, train=60)
    load(DataConfig("mnist"), tmp_path)
    stats = {p: p.stat().st_mtime_ns for p in (tmp_path / "MNIST" / "raw").iterdir()}
    bigger = write_mnist_family(tmp_path, train=70, test=25)
    for path, mtime in stats.items():
        os.utime(path, ns=(mtime, mtime))  # same mtimes as when cached: only sizes differ
    assert len(load(DataConfig("mnist"), tmp_path).x_train) == 70
    assert_same_arrays(load(DataConfig("mnist"), tmp_path), bigger)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "wrong arrays"])
def test_unreadable_cache_is_rebuilt_not_trusted(tmp_path, damage):
    written = write_mnist_family(tmp_path)
    load(DataConfig("mnist"), tmp_path)
    cache = tmp_path / "MNIST" / "layerlab-cache" / "train.npz"
    if damage == "garbage":
        cache.write_bytes(os.urandom(5000))
    elif damage == "truncated":
        cache.write_bytes(cache.read_bytes()[:-3000])
    elif damage == "empty":
        cache.write_bytes(b"")
    else:
        with np.load(cache, allow_pickle=False) as arrays:
            meta = arrays["meta"]
        np.savez(cache.open("wb"), images=np.zeros((60, 1, 28, 28), np.float32), meta=meta)
    data = load(DataConfig("mnist"), tmp_path)
    assert_same_arrays(data, written)
    with np.load(cache, allow_pickle=False) as arrays:
        assert np.array_equal(arrays["images"], written.x_train)


@pytest.mark.parametrize("how", ["read-only folder", "cache folder blocked by a file"])
def test_unwritable_data_folder_still_loads(tmp_path, how):
    written = write_mnist_family(tmp_path)
    folder = tmp_path / "MNIST"
    if how == "read-only folder":
        folder.chmod(0o555)  # root ignores this; the blocking file below covers root too
    else:
        (folder / "layerlab-cache").write_bytes(b"not a folder")
    try:
        assert_same_arrays(load(DataConfig("mnist"), tmp_path), written)
        assert_same_arrays(load(DataConfig("mnist"), tmp_path), written)
    finally:
        folder.chmod(0o755)
    assert not [name for name in files_under(folder) if name.endswith(".tmp")]


# Missing files and the how-to ------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(VISION_DATASETS))
def test_missing_files_raise_data_missing_naming_folder_and_files(tmp_path, name):
    dataset = VISION_DATASETS[name]
    assert not is_present(name, tmp_path)
    with pytest.raises(DataMissing) as caught:
        load(DataConfig(name), tmp_path)
    message = str(caught.value)
    assert message == missing_message(name, tmp_path)
    assert str(tmp_path / dataset.data_folder) in message
    for file in dataset.files:
        assert file in message
    assert (".gz files" if name in MNIST_FAMILY else dataset.archives[0]) in message
    assert "press Download" in message and "--download" not in message  # the window's words
    cli = missing_message(name, tmp_path, fetch="add --download")
    assert "add --download" in cli and "press Download" not in cli


def test_partly_missing_files_are_missing(tmp_path):
    written = write_mnist_family(tmp_path)
    written.paths[3].unlink()
    assert not is_present("mnist", tmp_path)
    with pytest.raises(DataMissing, match="t10k-labels-idx1-ubyte"):
        load(DataConfig("mnist"), tmp_path)


def test_the_how_to_is_one_plain_paragraph(tmp_path):
    message = missing_message("fashion_mnist", tmp_path)
    assert "\n" not in message and message.endswith(".")
    assert str(tmp_path / "FashionMNIST" / "raw") in message
    assert ".gz files as downloaded work too" in message
    cifar = missing_message("cifar10", tmp_path)
    assert f"cifar-10-python.tar.gz as downloaded in {tmp_path}" in cifar


def test_gz_files_as_downloaded_load(tmp_path, monkeypatch):
    written = write_mnist_family(tmp_path, class_name="FashionMNIST", gz=True)
    point_downloads_at(monkeypatch, "FashionMNIST", "http://unused.invalid/", written)
    assert is_present("fashion_mnist", tmp_path)
    assert_same_arrays(load(DataConfig("fashion_mnist"), tmp_path), written)
    raw = tmp_path / "FashionMNIST" / "raw"
    assert all((raw / name).is_file() for name in VISION_DATASETS["fashion_mnist"].files)


def test_gz_files_that_fail_their_checksums_are_damaged(tmp_path):
    write_mnist_family(tmp_path, gz=True)  # not the real MNIST, so not its md5s
    assert is_present("mnist", tmp_path)
    with pytest.raises(DataMissing, match="does not match its checksum"):
        load(DataConfig("mnist"), tmp_path)


def test_cifar10_archive_as_downloaded_loads(tmp_path, monkeypatch):
    accept_cifar10_files(monkeypatch)
    written = write_cifar10(tmp_path, archive=True)
    point_downloads_at(monkeypatch, "CIFAR10", "http://unused.invalid/", written)
    assert is_present("cifar10", tmp_path)
    assert_same_arrays(load(DataConfig("cifar10"), tmp_path), written)


# Downloads -------------------------------------------------------------------------------


def test_download_from_an_unanswering_server_times_out_with_the_how_to(tmp_path, monkeypatch):
    with unresponsive_server() as url:
        monkeypatch.setattr(torchvision.datasets.MNIST, "mirrors", [url, url])
        with pytest.raises(DownloadError) as caught:
            download("mnist", tmp_path / "data", timeout=0.5)
    message = str(caught.value)
    assert message.startswith("Could not download MNIST handwritten digits: the server did not")
    assert "within 0.5 s (are you offline?)" in message
    assert message.endswith(missing_message("mnist", tmp_path / "data", fetch=None))
    assert files_under(tmp_path) == []


def test_download_fetches_checks_and_unpacks_with_progress(tmp_path, monkeypatch):
    served = write_mnist_family(tmp_path / "served", train=300, test=50, seed=9, gz=True)
    root = tmp_path / "data"
    calls = []
    with serve_folder(served.paths[0].parent) as url:
        point_downloads_at(monkeypatch, "MNIST", url, served)
        download("mnist", root, progress=lambda done, total: calls.append((done, total)))
    total = sum(path.stat().st_size for path in served.paths)
    assert calls[0] == (0, total) and calls[-1] == (total, total)
    assert all(a[0] <= b[0] for a, b in zip(calls, calls[1:], strict=False))
    assert {call[1] for call in calls} == {total}
    assert files_under(root) == sorted(f"MNIST/raw/{f}" for f in VISION_DATASETS["mnist"].files)
    assert is_present("mnist", root)
    assert_same_arrays(load(DataConfig("mnist"), root), served)


def test_download_cifar10_archive_lands_where_torchvision_reads_it(tmp_path, monkeypatch):
    accept_cifar10_files(monkeypatch)
    served = write_cifar10(tmp_path / "served", archive=True, seed=2)
    root = tmp_path / "data"
    with serve_folder(tmp_path / "served") as url:
        point_downloads_at(monkeypatch, "CIFAR10", url, served)
        download("cifar10", root)
    assert files_under(root) == sorted(
        f"cifar-10-batches-py/{file}" for file in VISION_DATASETS["cifar10"].files
    )
    assert_same_arrays(load(DataConfig("cifar10"), root), served)


def test_download_of_present_files_does_nothing(tmp_path, monkeypatch):
    write_mnist_family(tmp_path)
    monkeypatch.setattr(torchvision.datasets.MNIST, "mirrors", ["http://unused.invalid/"])
    calls = []
    download("mnist", tmp_path, progress=lambda *args: calls.append(args))
    assert calls == []


def test_cancel_stops_between_chunks_and_leaves_nothing_partial(tmp_path, monkeypatch):
    served = write_mnist_family(tmp_path / "served", train=800, test=10, gz=True)
    assert served.paths[0].stat().st_size > 200_000  # several chunks
    root = tmp_path / "data"
    calls = []
    with serve_folder(served.paths[0].parent) as url:
        point_downloads_at(monkeypatch, "MNIST", url, served)
        with pytest.raises(DownloadCancelled):
            download(
                "mnist",
                root,
                progress=lambda done, total: calls.append(done),
                cancelled=lambda: bool(calls) and calls[-1] > 0,
            )
    assert 0 < calls[-1] < served.paths[0].stat().st_size
    assert files_under(root) == []
    assert not is_present("mnist", root)


def test_missing_file_on_the_server_is_a_download_error(tmp_path, monkeypatch):
    served = write_mnist_family(tmp_path / "served", gz=True)
    with serve_folder(served.paths[0].parent) as url:
        point_downloads_at(monkeypatch, "MNIST", url, served)
        served.paths[2].unlink()
        with pytest.raises(DownloadError, match="answered 404 .*t10k-images-idx3-ubyte.gz"):
            download("mnist", tmp_path / "data")
    assert files_under(tmp_path / "data") == []


def test_damaged_download_is_an_error_and_is_not_kept(tmp_path, monkeypatch):
    served = write_mnist_family(tmp_path / "served", gz=True)
    with serve_folder(served.paths[0].parent) as url:
        point_downloads_at(monkeypatch, "MNIST", url, served)
        served.paths[0].write_bytes(b"changed after its md5 was taken")
        with pytest.raises(DownloadError, match="train-images-idx3-ubyte.gz arrived damaged"):
            download("mnist", tmp_path / "data")
    assert files_under(tmp_path / "data") == []


def test_unreachable_host_is_a_download_error(tmp_path, monkeypatch):
    with unresponsive_server() as url:
        closed_port = url  # a port nobody listens on once the server is gone
    monkeypatch.setattr(torchvision.datasets.KMNIST, "mirrors", [closed_port])
    with pytest.raises(DownloadError, match="127.0.0.1 could not be reached .*offline"):
        download("kmnist", tmp_path, timeout=0.5)
    assert files_under(tmp_path) == []
