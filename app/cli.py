"""Command line: the window by default, `train` for headless runs.

Bad input exits with status 2 and one line on stderr, never a traceback. A reader of stdout
that goes away (`| head -1`) does not stop a run or its files being saved.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line instead of usage + error
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="layerlab",
        description="LayerLab: build and train small neural networks. Without a command it opens "
        "the window, with EXPERIMENT.json if one is given (image datasets: pick the data folder "
        "in its Data tab).",
    )
    commands = parser.add_subparsers(dest="command")
    train = commands.add_parser(
        "train",
        help="train an experiment without a window",
        description="Train EXPERIMENT.json and write model.pt, experiment.json, model.py and "
        "metrics.csv into the output folder.",
    )
    train.add_argument(
        "experiment",
        type=Path,
        nargs="?",
        help="an experiment file (.json); with --resume, the folder's own by default",
    )
    train.add_argument(
        "--resume",
        type=Path,
        metavar="FOLDER",
        help="continue from the weights in FOLDER (written by train or Export Weights): the "
        "epochs and steps count on from its metrics.csv, and the files are written back there "
        "unless --out says otherwise",
    )
    train.add_argument("--epochs", type=int, help="number of passes over the training data")
    train.add_argument("--device", help="cpu, cuda, cuda:N or mps")
    train.add_argument("--dtype", help="float32, float64, bfloat16 or float16")
    train.add_argument("--seed", type=int, help="seed for weights and shuffling")
    train.add_argument("--out", type=Path, help="output folder (default: runs/<experiment name>)")
    train.add_argument(
        "--tensorboard",
        action="store_true",
        help="also write TensorBoard event files (losses, scores, gradient and weight "
        "histograms) into OUT/tensorboard (needs the tensorboard extra)",
    )
    _data_arguments(train)
    train.add_argument(
        "--download",
        action="store_true",
        help="download an image dataset that is not in the data folder yet",
    )
    script = commands.add_parser(
        "export-script",
        help="write a standalone train.py that replays the experiment's run",
        description="Write train.py (plain PyTorch and numpy), experiment.json and, for "
        "generated points, data.npz into the output folder. `python train.py` there trains "
        "the same run and writes model.pt and metrics.csv; `torchrun --nproc_per_node=N "
        "train.py` trains it with DistributedDataParallel.",
    )
    script.add_argument("experiment", type=Path, help="an experiment file (.json)")
    script.add_argument("--out", type=Path, required=True, help="the folder to write")
    export = commands.add_parser(
        "export",
        help="write a trained folder's model as TorchScript or ONNX",
        description="Write FOLDER/model.torchscript.pt (TorchScript: PyTorch and libtorch "
        "without LayerLab) or FOLDER/model.onnx (onnxruntime and other engines; needs the onnx "
        "extra) from the model.pt and experiment.json in FOLDER, then load the file back and "
        "check its outputs against the model's.",
    )
    export.add_argument("folder", type=Path, help="a folder written by train or Export Weights")
    export.add_argument("--format", required=True, choices=("torchscript", "onnx"))
    shot = commands.add_parser(
        "screenshot",
        help="render the window offscreen into a PNG",
        description="Render the window with EXPERIMENT.json (default: the two-moons example) "
        "offscreen and write it as a PNG.",
    )
    shot.add_argument("out", type=Path, help="the PNG to write")
    shot.add_argument("experiment", type=Path, nargs="?", help="an experiment file (.json)")
    shot.add_argument("--size", type=_size, default=(1280, 800), help="WxH (default 1280x800)")
    shot.add_argument(  # for checking layouts: the window shown at each size before --size
        "--resize-sequence", type=_sizes, default=(), metavar="WxH,...", help=argparse.SUPPRESS
    )
    shot.add_argument(
        "--theme", choices=("system", "light", "dark"), default="light", help="colour theme"
    )
    shot.add_argument(
        "--train-epochs",
        type=int,
        default=0,
        metavar="N",
        help="train N epochs in the window first, so the plots show a real run",
    )
    shot.add_argument(
        "--tab",
        default="loss",
        metavar="NAME",
        help="the plot on show: loss (default), generalization, gradients or predictions",
    )
    shot.add_argument("--code", action="store_true", help="open the code panel (train.py)")
    shot.add_argument(
        "--lesson",
        metavar="NAME",
        help="open the lesson of file NAME (its stem, e.g. xor_needs_a_hidden_layer) as the "
        "window shows it",
    )
    shot.add_argument(
        "--presentation",
        action="store_true",
        help="render in presentation mode (large text, thick lines, the projector layout)",
    )
    shot.add_argument(  # the lessons' start-page cards: the plots only, 480 pixels wide
        "--thumbnail", action="store_true", help=argparse.SUPPRESS
    )
    shot.add_argument(
        "--select-layer", type=int, metavar="N", help="select layer N (0 is the first)"
    )
    _data_arguments(shot)
    return parser


def _data_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-root",
        type=Path,
        metavar="DIR",
        help="where image datasets (MNIST, CIFAR-10, ...) live (default: ~/layerlab-data)",
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("train", "export", "export-script", "screenshot", "-h", "--help"):
        args = build_parser().parse_args(argv)
        if args.command == "train":
            return train_command(args)
        if args.command == "export-script":
            return export_script_command(args)
        if args.command == "export":
            return export_command(args)
        if args.command == "screenshot":
            return screenshot_command(args)
        return 0
    if len(argv) > 1 or (argv and argv[0].startswith("-")):
        return _fail(f"unexpected arguments {' '.join(argv)} (see --help)")
    path = Path(argv[0]) if argv else None
    if path is not None and not path.is_file():
        return _fail(f"{path} does not exist")
    from app.engine_link import start_fork_server

    start_fork_server()  # torch loads there while Qt loads here (the first Train's wait)
    from app.gui.application import run

    return run(path)


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 1280x800, got {text!r}") from None
    if not (320 <= width <= 7680 and 240 <= height <= 4320):
        raise argparse.ArgumentTypeError(f"size {text} is outside 320x240 to 7680x4320")
    return width, height


def _sizes(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(_size(part) for part in text.split(",") if part.strip())


def screenshot_command(args: argparse.Namespace) -> int:
    from app.experiment import Experiment, ExperimentError

    problem = _unwritable(args.out)
    if problem:
        return _fail(problem)
    if args.experiment is not None:
        try:
            Experiment.load(args.experiment)
        except ExperimentError as error:
            return _fail(str(error))
    if not 0 <= args.train_epochs <= 10_000:
        return _fail(f"--train-epochs must be between 0 and 10000, got {args.train_epochs}")
    if args.lesson is not None:
        from app.lessons import LessonError, find_lesson

        try:
            find_lesson(args.lesson)
        except LessonError as error:
            return _fail(str(error))
    from app.gui.application import screenshot
    from app.gui.run_panel import TAB_NAMES

    if args.tab not in TAB_NAMES:
        return _fail(f"--tab must be one of {', '.join(TAB_NAMES)}, got {args.tab!r}")

    try:
        width, height = screenshot(
            args.out,
            args.experiment,
            args.size,
            {"dark": True, "light": False}.get(args.theme),
            train_epochs=args.train_epochs,
            tab=args.tab,
            data_root=args.data_root,
            resizes=args.resize_sequence,
            code=args.code,
            select_layer=args.select_layer,
            lesson=args.lesson,
            thumbnail=args.thumbnail,
            presentation=args.presentation,
        )
    except OSError as error:
        return _fail(f"cannot write the screenshot: {error}")
    note = (
        "" if (width, height) == args.size or args.thumbnail else ", the smallest the window can be"
    )
    _say(f"Wrote {args.out} ({width}x{height}{note})")
    return 0


def _unwritable(path: Path) -> str:
    """Why a file cannot be written at `path`, or '': checked before a window opens, since a
    window that fails to write its screenshot takes the process down with it."""
    folder = path.parent
    if path.is_dir():
        return f"{path} is a folder; give the file name of the PNG to write"
    if not folder.is_dir():
        return f"cannot write {path}: the folder {folder} does not exist"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"cannot write {path}: the folder {folder} is not writable"
    return ""


def _say(text: str) -> None:
    """Print a line on stdout; when its reader has gone (`| head -1`) the rest goes nowhere
    and the run carries on to save its files."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        # Python's advice for SIGPIPE: point stdout at devnull, so that the text still in
        # its buffer and the flush at exit cannot raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        finally:
            os.close(devnull)


def _fail(message: str) -> int:
    print(f"layerlab: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def train_command(args: argparse.Namespace) -> int:
    from app.experiment import Experiment, ExperimentError

    resume = None
    if args.resume is not None:
        from app.training.resume import ResumeError, read_resume_point

        try:
            resume = read_resume_point(args.resume)
        except ResumeError as error:
            return _fail(str(error))
        if resume.warning:
            print(f"layerlab: warning: {resume.warning}", file=sys.stderr)
    elif args.experiment is None:
        return _fail("give an experiment file, or --resume FOLDER to continue a trained one")
    try:
        if args.experiment is not None:
            experiment = Experiment.load(args.experiment)
        else:
            experiment = Experiment.from_dict(resume.experiment)
        overrides = {
            key: value
            for key, value in (
                ("epochs", args.epochs),
                ("device", args.device),
                ("dtype", args.dtype),
                ("seed", args.seed),
            )
            if value is not None
        }
        if overrides:
            data = experiment.to_dict()
            data["train"].update(overrides)
            experiment = Experiment.from_dict(data)
    except ExperimentError as error:
        return _fail(str(error))
    if args.out is not None:
        out = args.out
    else:
        out = args.resume if resume is not None else Path("runs") / args.experiment.stem
    from app.datasets import vision

    root = args.data_root or vision.default_data_root()
    name = experiment.data.name
    if name in vision.VISION_DATASETS and not vision.is_present(name, root):
        if not args.download:
            return _fail(vision.missing_message(name, root, fetch="add --download"))
        status = _download(name, root)
        if status:
            return status
    return _train(experiment, out, root, tensorboard=args.tensorboard, resume=resume)


def export_script_command(args: argparse.Namespace) -> int:
    from app.datasets import data_task
    from app.experiment import Experiment, ExperimentError
    from app.script_export import SCRIPT_FILE, export_script
    from models.words import listed

    try:
        experiment = Experiment.load(args.experiment)
    except ExperimentError as error:
        return _fail(str(error))
    if args.out.exists() and not args.out.is_dir():
        return _fail(f"{args.out} is a file; give the folder to write the script into")
    try:
        written = export_script(experiment, data_task(experiment.data), args.out)
    except ValueError as error:  # a model that does not fit its data: the engine's sentence
        return _fail(str(error))
    except OSError as error:
        return _fail(f"cannot write to {args.out}: {error.strerror or error}")
    _say(f"Wrote {listed(written)} to {args.out}; run it there: python {SCRIPT_FILE}")
    return 0


def export_command(args: argparse.Namespace) -> int:
    from models.checkpoint import CheckpointError
    from models.formats import FormatError, export_format

    if not args.folder.is_dir():
        return _fail(f"{args.folder} is not a folder; give the folder that holds model.pt")
    try:
        written = export_format(args.folder, args.format)
    except (CheckpointError, FormatError) as error:
        return _fail(str(error))
    except KeyboardInterrupt:
        print("layerlab: export interrupted; nothing was kept", file=sys.stderr)
        return 130
    except OSError as error:
        return _fail(f"cannot write to {args.folder}: {error.strerror or error}")
    difference = written.largest_difference
    check = "the same" if difference == 0 else f"within {difference:.2g} of the model's"
    _say(f"Wrote {written.path} (loaded back and checked: outputs {check})")
    return 0


def _download(name: str, root: Path) -> int:
    from app.datasets import vision

    dataset = vision.VISION_DATASETS[name]
    _say(f"Downloading {dataset.title} into {root}")
    progress = _Progress(sys.stderr)
    try:
        vision.download(name, root, progress=progress.show_bytes)
    except vision.DownloadError as error:
        progress.clear()
        return _fail(str(error))
    except KeyboardInterrupt:
        progress.clear()
        return _fail("download interrupted; files not complete were removed")
    progress.clear()
    _say("Download complete.")
    return 0


def _train(
    experiment,
    out: Path,
    data_root: Path | None = None,
    tensorboard: bool = False,
    resume=None,
) -> int:
    from app.experiment import model_source
    from app.gradient_health import GradientHealth
    from app.history import RunHistory
    from app.reports import EpochReport, RunFinished, RunStarted, StepsReport
    from app.training import Control, RunError, Trainer
    from models.checkpoint import save_checkpoint
    from models.words import counted

    trainer = Trainer(experiment, data_root=str(data_root) if data_root else None)
    try:
        trainer.prepare()
        if resume is not None:
            trainer.resume(resume.state_dict, resume.steps_done, resume.epochs_done)
    except (RunError, ValueError) as error:
        return _fail(str(error))
    log = None
    if tensorboard:
        from app.tensorboard_log import TENSORBOARD_FOLDER, TensorBoardLog, TensorBoardMissing

        try:
            # Resumed in its own folder, the run goes on in the same event files' company.
            goes_on = resume is not None and out.resolve() == resume.folder.resolve()
            log = TensorBoardLog(out / TENSORBOARD_FOLDER, keep_events=goes_on)
        except TensorBoardMissing as error:
            return _fail(str(error))
        except OSError as error:
            return _fail(f"cannot write to {out}: {error.strerror or error}")
    control = Control()
    progress = _Progress(sys.stderr)
    history = RunHistory()  # what metrics.csv is written from, as the window's Export Metrics
    health = GradientHealth()  # the same alarms as the window's, each printed once
    finished: RunFinished | None = None
    failure: str | None = None  # a run that stopped part way (out of memory): one sentence
    try:
        for report in trainer.run(control):
            history.add(report)
            if log is not None:
                log.add(report)
            for alarm in health.add(report):
                progress.clear()
                _say(alarm.cli_line)
            if isinstance(report, RunStarted):
                health.start(report)
                _say(
                    f"Training {experiment.title!r}: {report.param_count:,} parameters, "
                    f"{report.train_samples:,} training and {report.val_samples:,} validation "
                    f"samples, {counted(report.epochs, 'epoch')} "
                    f"on {report.device} ({report.dtype})"
                )
                progress.start(report)
                last_epoch = report.first_epoch + report.epochs
            elif isinstance(report, StepsReport):
                progress.update(report)
            elif isinstance(report, EpochReport):
                progress.clear()
                _say(_epoch_line(report, last_epoch))
            elif isinstance(report, RunFinished):
                finished = report
    except KeyboardInterrupt:
        control.stop()
        progress.clear()
        print("Interrupted: saving the weights trained so far.", file=sys.stderr)
    except RunError as error:  # the engine kept the last finite weights: save them too
        failure = str(error)
    progress.clear()
    if log is not None:
        log.close()
        _say(f"TensorBoard: tensorboard --logdir {out / TENSORBOARD_FOLDER}")
    source = model_source(experiment, trainer.dataset.task)
    try:
        # metrics.csv belongs to the run's set: all four files are this run's, or none
        metrics_text = history.metrics_csv()
        if resume is not None and resume.metrics_before:  # the rows it continues come first
            metrics_text = resume.metrics_before + metrics_text.split("\n", 1)[1]
        metrics = {"metrics.csv": metrics_text.encode()}
        save_checkpoint(out, trainer.state_dict(), experiment.to_dict(), source, metrics)
    except OSError as error:
        print(f"layerlab: cannot write to {out}: {error.strerror or error}", file=sys.stderr)
        return 1
    _say(f"Wrote model.pt, experiment.json, model.py and metrics.csv to {out}")
    if failure is not None:
        print(f"layerlab: {failure}", file=sys.stderr)
        return 1
    if finished is None:
        return 130
    if finished.reason == "diverged":
        print(f"layerlab: {finished.message}", file=sys.stderr)
        return 1
    _say(finished.message)
    if finished.warning:  # completed, but the loss ran away on the way: the run exits 0
        print(f"layerlab: warning: {finished.warning}", file=sys.stderr)
    return 0


def _epoch_line(report, epochs: int) -> str:
    width = len(str(epochs))
    line = f"epoch {report.epoch:>{width}}/{epochs}  train loss {report.train_loss:.4f}"
    if report.val_loss is not None:
        line += f"  val loss {report.val_loss:.4f}"
    if report.val_accuracy is not None:
        line += f"  val accuracy {report.val_accuracy:.1%}"
    if report.val_rmse is not None:
        line += f"  val RMSE {report.val_rmse:.4g}  R\u00b2 {report.val_r2:.3f}"
    return line


class _Progress:
    """A one-line progress bar on a terminal; silent when the stream is not a terminal."""

    WIDTH = 24

    def __init__(self, stream) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self.first = 0
        self.total = 1
        self.epochs = 1
        self.shown = False
        self.last = 0.0

    def start(self, started) -> None:
        """A run's bar; a resumed run's counts on from the steps and epochs before it."""
        self.first = started.first_step
        self.total = max(started.first_step + started.total_steps, 1)
        self.epochs = started.first_epoch + started.epochs

    def update(self, report) -> None:
        now = time.monotonic()
        if not self.enabled or now - self.last < 0.1:
            return
        self.last = now
        done = report.steps_done
        filled = int(self.WIDTH * done / self.total)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        rate = (done - self.first) / report.elapsed if report.elapsed > 0 else 0
        left = (self.total - done) / rate if rate > 0 else math.inf
        eta = f"{int(left // 60)}:{int(left % 60):02d}" if math.isfinite(left) else "?"
        self.stream.write(
            f"\r[{bar}] {done / self.total:4.0%}  epoch {report.epoch + 1}/{self.epochs}  "
            f"step {done}/{self.total}  {report.samples_per_second:,.0f} samples/s  left {eta}  "
        )
        self.stream.flush()
        self.shown = True

    def show_bytes(self, done: int, total: int | None) -> None:
        """Download progress: megabytes, and a bar when the size is known."""
        now = time.monotonic()
        if not self.enabled or (now - self.last < 0.1 and done != total):
            return
        self.last = now
        megabytes = f"{done / 1e6:.1f}"
        if total:
            filled = int(self.WIDTH * done / total)
            bar = "#" * filled + "." * (self.WIDTH - filled)
            line = f"[{bar}] {done / total:4.0%}  {megabytes} of {total / 1e6:.1f} MB"
        else:
            line = f"{megabytes} MB"
        self.stream.write(f"\r{line}   ")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * 100 + "\r")
            self.stream.flush()
            self.shown = False
