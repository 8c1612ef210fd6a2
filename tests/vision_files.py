"""Tiny torchvision image datasets in their real on-disk formats, for tests and benchmarks.

The writers put files exactly where torchvision's classes read them and return what they
wrote: (N, C, H, W) uint8 images and int64 labels, as app.datasets.vision.load returns them.
Every image is noise (0..99) with one bright 4x4 square (200..255) whose place depends on its
label, so `pattern_labels` reads the label back from the pixels (a test can check that images
and labels stay paired) and a small network learns the task quickly.

Serving helpers point torchvision's classes at a local HTTP server, for download tests:
`serve_folder`, `point_downloads_at`, `unresponsive_server`. `accept_cifar10_files` lets
torchvision's CIFAR10 read written batches, whose md5s are not those of the real files.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import hashlib
import http.server
import io
import os
import pickle
import socket
import struct
import tarfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.datasets.vision import VISION_DATASETS

_SQUARE = 4


@dataclass(frozen=True)
class Written:
    """What a writer wrote: the arrays in load()'s layout and the files, in writing order."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    paths: tuple[Path, ...]


def _corner(label: int) -> tuple[int, int]:
    """Top-left (row, column) of the bright square for `label`: two rows of five."""
    return 6 + 12 * (label // 5), 2 + 5 * (label % 5)


def labelled_images(labels: np.ndarray, shape: tuple[int, int, int], rng) -> np.ndarray:
    """Noise images (N, C, H, W) uint8, each with the bright square of its label."""
    images = rng.integers(0, 100, (len(labels), *shape), dtype=np.uint8)
    for label in range(10):
        rows = np.flatnonzero(labels == label)
        top, left = _corner(label)
        square = rng.integers(200, 256, (len(rows), shape[0], _SQUARE, _SQUARE), dtype=np.uint8)
        images[rows, :, top : top + _SQUARE, left : left + _SQUARE] = square
    return images


def pattern_labels(images: np.ndarray) -> np.ndarray:
    """The label each image's bright square stands for: equal to its label if still paired."""
    means = []
    for label in range(10):
        top, left = _corner(label)
        patch = images[:, :, top : top + _SQUARE, left : left + _SQUARE]
        means.append(patch.reshape(len(images), -1).mean(axis=1))
    return np.argmax(np.stack(means, axis=1), axis=1).astype(np.int64)


def _split(count: int, shape: tuple[int, int, int], rng) -> tuple[np.ndarray, np.ndarray]:
    labels = rng.integers(0, 10, count).astype(np.int64)
    return labelled_images(labels, shape, rng), labels


def drawn_digits(labels: np.ndarray, rng) -> np.ndarray:
    """Handwriting-like digits for screenshots and benchmarks: each label's digit drawn white
    on black in a random font, weight, size, slant and place, like MNIST's 28x28 images, so a
    model learns them but still mixes some up. Needs Qt (imported here, not at module load)."""
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QFont, QGuiApplication, QImage, QPainter, QTransform
    from PySide6.QtWidgets import QApplication

    if QGuiApplication.instance() is None:  # painting text needs an application
        drawn_digits.app = QApplication([])
    families = ("DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono")
    images = np.zeros((len(labels), 1, 28, 28), dtype=np.uint8)
    canvas = QImage(28, 28, QImage.Format.Format_Grayscale8)
    for index, label in enumerate(labels.tolist()):
        canvas.fill(0)
        painter = QPainter(canvas)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        font = QFont(families[rng.integers(len(families))])
        font.setPixelSize(int(rng.integers(17, 25)))
        font.setWeight(QFont.Weight(int(rng.choice([400, 600, 700, 800]))))
        font.setItalic(bool(rng.random() < 0.3))
        painter.setFont(font)
        painter.setPen(Qt.GlobalColor.white)
        transform = QTransform()
        transform.translate(14 + rng.normal(0, 1.5), 14 + rng.normal(0, 1.5))
        transform.rotate(rng.normal(0, 9))
        transform.shear(rng.normal(0, 0.12), 0)
        painter.setTransform(transform)
        painter.drawText(QRectF(-14, -14, 28, 28), Qt.AlignmentFlag.AlignCenter, str(label))
        painter.end()
        pixels = np.frombuffer(canvas.constBits(), np.uint8).reshape(28, canvas.bytesPerLine())
        images[index, 0] = pixels[:, :28]
    return images


def write_mnist_family(
    root: Path,
    class_name: str = "MNIST",
    train: int = 60,
    test: int = 20,
    seed: int = 0,
    gz: bool = False,
    drawn: bool = False,
) -> Written:
    """The four idx files of MNIST, FashionMNIST or KMNIST in `root/<class_name>/raw/`;
    with gz=True only the .gz files, as downloaded. drawn=True writes `drawn_digits` instead
    of the noise-and-square patterns."""
    rng = np.random.default_rng(seed)
    x_train, y_train = _split(train, (1, 28, 28), rng)
    x_test, y_test = _split(test, (1, 28, 28), rng)
    if drawn:
        x_train, x_test = drawn_digits(y_train, rng), drawn_digits(y_test, rng)
    folder = Path(root) / class_name / "raw"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for prefix, images, labels in (("train", x_train, y_train), ("t10k", x_test, y_test)):
        image_bytes = struct.pack(">IIII", 0x803, len(images), 28, 28) + images.tobytes()
        label_bytes = struct.pack(">II", 0x801, len(labels)) + labels.astype(np.uint8).tobytes()
        for kind, data in (("images-idx3", image_bytes), ("labels-idx1", label_bytes)):
            path = folder / f"{prefix}-{kind}-ubyte"
            if gz:
                path = path.with_name(f"{path.name}.gz")
                data = gzip.compress(data, mtime=0)
            path.write_bytes(data)
            paths.append(path)
    return Written(x_train, y_train, x_test, y_test, tuple(paths))


def write_cifar10(
    root: Path, train_per_batch: int = 12, test: int = 20, seed: int = 0, archive: bool = False
) -> Written:
    """The pickled batches of CIFAR-10 (data_batch_1..5, test_batch, batches.meta) in
    `root/cifar-10-batches-py/`; with archive=True only `root/cifar-10-python.tar.gz`.

    The real files are Python 2 pickles whose keys torchvision reads (encoding="latin1") as
    str: "data" (N x 3072 uint8, channel-major rows), "labels", "filenames", "batch_label".
    """
    rng = np.random.default_rng(seed)
    batches = {
        f"data_batch_{number}": _split(train_per_batch, (3, 32, 32), rng) for number in range(1, 6)
    }
    batches["test_batch"] = _split(test, (3, 32, 32), rng)
    files = {}
    for name, (images, labels) in batches.items():
        entry = {
            "batch_label": f"{name} of 6",
            "labels": [int(label) for label in labels],
            "data": images.reshape(len(images), -1),
            "filenames": [f"image_{index}.png" for index in range(len(images))],
        }
        files[name] = pickle.dumps(entry, protocol=2)
    names = list(VISION_DATASETS["cifar10"].class_names)
    meta = {"num_cases_per_batch": train_per_batch, "label_names": names}
    files["batches.meta"] = pickle.dumps({**meta, "num_vis": 3072}, protocol=2)
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    if archive:
        path = root / "cifar-10-python.tar.gz"
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
            for name, data in files.items():
                info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        path.write_bytes(buffer.getvalue())
        paths = (path,)
    else:
        folder = root / "cifar-10-batches-py"
        folder.mkdir(exist_ok=True)
        paths = tuple(folder / name for name in files)
        for path in paths:
            path.write_bytes(files[path.name])
    train_images = np.concatenate([batches[f"data_batch_{n}"][0] for n in range(1, 6)])
    train_labels = np.concatenate([batches[f"data_batch_{n}"][1] for n in range(1, 6)])
    x_test, y_test = batches["test_batch"]
    return Written(train_images, train_labels, x_test, y_test, paths)


def accept_cifar10_files(monkeypatch) -> None:
    """Let torchvision's CIFAR10 read written batches: torchvision 0.29 checks each batch and
    batches.meta against the real files' md5 through `cifar.check_integrity`."""
    import torchvision.datasets.cifar

    def exists(fpath, md5=None) -> bool:
        return os.path.isfile(fpath)

    monkeypatch.setattr(torchvision.datasets.cifar, "check_integrity", exists)


def point_downloads_at(monkeypatch, class_name: str, base_url: str, archives: Written) -> None:
    """Make torchvision's `class_name` download from `base_url` (which serves the written
    archives by name, e.g. from `serve_folder`) and expect their md5s."""
    import torchvision.datasets

    source_class = getattr(torchvision.datasets, class_name)
    md5s = {path.name: hashlib.md5(path.read_bytes()).hexdigest() for path in archives.paths}
    if issubclass(source_class, torchvision.datasets.MNIST):
        resources = [(name, md5s[name]) for name, _ in source_class.resources]
        monkeypatch.setattr(source_class, "mirrors", [base_url])
        monkeypatch.setattr(source_class, "resources", resources)
    else:
        monkeypatch.setattr(source_class, "url", f"{base_url}{source_class.filename}")
        monkeypatch.setattr(source_class, "tgz_md5", md5s[source_class.filename])


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args) -> None:
        pass


@contextlib.contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 serving `folder`; yields its base URL, ending in '/'."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextlib.contextmanager
def unresponsive_server() -> Iterator[str]:
    """A TCP server on 127.0.0.1 that accepts connections and never answers, like a network
    that swallows packets; yields its base URL."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.05)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                accepted.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    finally:
        stop.set()
        thread.join()
        for connection in accepted:
            connection.close()
        listener.close()
