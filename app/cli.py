"""Command line: the window by default, `train` for headless runs.

Bad input exits with status 2 and one line on stderr, never a traceback. A reader of stdout
that goes away (`| head -1`) does not stop a run or its files being saved.

The headless commands speak the environment's language (LANGUAGE, LC_ALL, LC_MESSAGES, LANG),
as command-line tools do; the window chooses its own.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
import time
import unicodedata
from pathlib import Path

from models import translation
from models.translation import N_, _, ngettext

EXIT_BAD_INPUT = 2
HEADLESS = ("train", "export", "export-script", "screenshot", "-h", "--help")

# argparse's own texts that LayerLab's commands can show, in the words of Python's argparse
# (3.11), so that the catalog holds them: argparse looks each up when it makes it through its
# module's `_` and `ngettext`, which _argparse_speaks_ours() points at the catalog's.
ARGPARSE_TEXTS = (
    # Translators: argparse's prefix of the usage line, before "layerlab train [-h] ...".
    N_("usage: "),
    # Translators: argparse's heading of the help's list of arguments without a dash.
    N_("positional arguments"),
    # Translators: argparse's heading of the help's list of --options.
    N_("options"),
    N_("show this help message and exit"),
    # Translators: argparse's error about one argument: "argument --epochs: invalid ...".
    N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    # Translators: %(type)s is a Python type's name (int), %(value)r what was given.
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    # Translators: an --option that takes no value was given one, as in --code=1.
    N_("ignored explicit argument %r"),
)


def _argparse_speaks_ours() -> None:
    """Point argparse's `_` and `ngettext` at the catalog's, so that its usage line, help
    headings and errors come in the language the rest of the command line speaks."""
    argparse._ = _
    argparse.ngettext = ngettext


# A piece of help text a line may end after: a run of spaces, or a wide (Chinese) character
# or a run of other ones, with the punctuation that may not end or start a line beside it.
_WIDE = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uff60"
_PIECE = re.compile(rf"\s+|[“‘（《「]*(?:[{_WIDE}]|[^\s{_WIDE}]+)[，。、；：！？）》」”’]*")


def _columns(text: str) -> int:
    """How many columns `text` takes on a terminal: two for each wide character."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` columns (but never an empty one), broken at spaces or beside
    a wide character, as Chinese text is broken."""
    lines, line, space = [], "", ""
    for piece in _PIECE.findall(" ".join(text.split())):
        if piece.isspace():
            space = " "
            continue
        if line and _columns(line + space + piece) > width:
            lines.append(line)
            line = piece
        else:
            line += space + piece
        space = ""
    return [*lines, line] if line else lines


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's help, wrapped by the columns a line takes: a Chinese character takes two,
    which argparse's textwrap counts as one. Text without one wraps as argparse's does."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        if _columns(text) == len(text):
            return super()._split_lines(text, width)
        return _wrap(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if _columns(text) == len(text):
            return super()._fill_text(text, width, indent)
        return "\n".join(indent + line for line in _wrap(text, width - len(indent)))


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)  # the subcommands' parsers too
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # one line instead of usage + error
        # Translators: {prog} is "layerlab" or "layerlab train", {message} argparse's error.
        line = _("{prog}: {message} (see --help)").format(prog=self.prog, message=message)
        self.exit(EXIT_BAD_INPUT, line + "\n")


def build_parser() -> argparse.ArgumentParser:
    _argparse_speaks_ours()  # before the parsers: they make their help headings as they start
    parser = _Parser(
        prog="layerlab",
        description=_(
            "LayerLab: build and train small neural networks. Without a command it opens "
            "the window, with EXPERIMENT.json if one is given (image datasets: pick the data "
            "folder in its Data tab)."
        ),
    )
    commands = parser.add_subparsers(dest="command")
    train = commands.add_parser(
        "train",
        help=_("train an experiment without a window"),
        description=_(
            "Train EXPERIMENT.json and write model.pt, experiment.json, model.py and "
            "metrics.csv into the output folder."
        ),
    )
    train.add_argument(
        "experiment",
        type=Path,
        nargs="?",
        help=_("an experiment file (.json); with --resume, the folder's own by default"),
    )
    train.add_argument(
        "--resume",
        type=Path,
        metavar="FOLDER",
        help=_(
            "continue from the weights in FOLDER (written by train or Export Weights): the "
            "epochs and steps count on from its metrics.csv, and the files are written back "
            "there unless --out says otherwise"
        ),
    )
    train.add_argument("--epochs", type=int, help=_("number of passes over the training data"))
    train.add_argument("--device", help=_("cpu, cuda, cuda:N or mps"))
    train.add_argument("--dtype", help=_("float32, float64, bfloat16 or float16"))
    train.add_argument("--seed", type=int, help=_("seed for weights and shuffling"))
    train.add_argument(
        "--out", type=Path, help=_("output folder (default: runs/<experiment name>)")
    )
    train.add_argument(
        "--tensorboard",
        action="store_true",
        help=_(
            "also write TensorBoard event files (losses, scores, gradient and weight "
            "histograms) into OUT/tensorboard (needs the tensorboard extra)"
        ),
    )
    _data_arguments(train)
    train.add_argument(
        "--download",
        action="store_true",
        help=_("download an image dataset that is not in the data folder yet"),
    )
    script = commands.add_parser(
        "export-script",
        help=_("write a standalone train.py that replays the experiment's run"),
        description=_(
            "Write train.py (plain PyTorch and numpy), experiment.json and, for "
            "generated points, data.npz into the output folder. `python train.py` there trains "
            "the same run and writes model.pt and metrics.csv; `torchrun --nproc_per_node=N "
            "train.py` trains it with DistributedDataParallel."
        ),
    )
    script.add_argument("experiment", type=Path, help=_("an experiment file (.json)"))
    script.add_argument("--out", type=Path, required=True, help=_("the folder to write"))
    export = commands.add_parser(
        "export",
        help=_("write a trained folder's model as TorchScript or ONNX"),
        description=_(
            "Write FOLDER/model.torchscript.pt (TorchScript: PyTorch and libtorch "
            "without LayerLab) or FOLDER/model.onnx (onnxruntime and other engines; needs the "
            "onnx extra) from the model.pt and experiment.json in FOLDER, then load the file "
            "back and check its outputs against the model's."
        ),
    )
    export.add_argument("folder", type=Path, help=_("a folder written by train or Export Weights"))
    export.add_argument("--format", required=True, choices=("torchscript", "onnx"))
    shot = commands.add_parser(
        "screenshot",
        help=_("render the window offscreen into a PNG"),
        description=_(
            "Render the window with EXPERIMENT.json (default: the two-moons example) "
            "offscreen and write it as a PNG."
        ),
    )
    shot.add_argument("out", type=Path, help=_("the PNG to write"))
    shot.add_argument("experiment", type=Path, nargs="?", help=_("an experiment file (.json)"))
    shot.add_argument("--size", type=_size, default=(1280, 800), help=_("WxH (default 1280x800)"))
    shot.add_argument(  # for checking layouts: the window shown at each size before --size
        "--resize-sequence", type=_sizes, default=(), metavar="WxH,...", help=argparse.SUPPRESS
    )
    shot.add_argument(
        "--theme", choices=("system", "light", "dark"), default="light", help=_("colour theme")
    )
    shot.add_argument(
        "--train-epochs",
        type=int,
        default=0,
        metavar="N",
        help=_("train N epochs in the window first, so the plots show a real run"),
    )
    shot.add_argument(
        "--tab",
        default="loss",
        metavar="NAME",
        help=_("the plot on show: loss (default), generalization, gradients or predictions"),
    )
    shot.add_argument("--code", action="store_true", help=_("open the code panel (train.py)"))
    shot.add_argument(
        "--lesson",
        metavar="NAME",
        help=_(
            "open the lesson of file NAME (its stem, e.g. xor_needs_a_hidden_layer) as the "
            "window shows it"
        ),
    )
    shot.add_argument(
        "--presentation",
        action="store_true",
        help=_("render in presentation mode (large text, thick lines, the projector layout)"),
    )
    shot.add_argument(  # the lessons' start-page cards: the plots only, 480 pixels wide
        "--thumbnail", action="store_true", help=argparse.SUPPRESS
    )
    shot.add_argument(
        "--select-layer", type=int, metavar="N", help=_("select layer N (0 is the first)")
    )
    _data_arguments(shot)
    return parser


def _data_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-root",
        type=Path,
        metavar="DIR",
        help=_("where image datasets (MNIST, CIFAR-10, ...) live (default: ~/layerlab-data)"),
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # What the command line says, in the environment's language, before the parser is made
    # (its texts are made with it); the window chooses its own as it opens.
    translation.set_language(translation.language_from_environment())
    if argv and argv[0] in HEADLESS:
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
        return _fail(
            _("unexpected arguments {arguments} (see --help)").format(arguments=" ".join(argv))
        )
    path = Path(argv[0]) if argv else None
    if path is not None and not path.is_file():
        return _fail(_("{path} does not exist").format(path=path))
    from app.engine_link import start_fork_server

    start_fork_server()  # torch loads there while Qt loads here (the first Train's wait)
    from app.gui.application import run

    return run(path)


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("size must look like 1280x800, got {text}").format(text=repr(text))
        ) from None
    if not (320 <= width <= 7680 and 240 <= height <= 4320):
        raise argparse.ArgumentTypeError(
            _("size {text} is outside 320x240 to 7680x4320").format(text=text)
        )
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
        return _fail(
            _("--train-epochs must be between 0 and 10000, got {epochs}").format(
                epochs=args.train_epochs
            )
        )
    if args.lesson is not None:
        from app.lessons import LessonError, find_lesson

        try:
            find_lesson(args.lesson)
        except LessonError as error:
            return _fail(str(error))
    from app.gui.application import screenshot
    from app.gui.run_panel import TAB_NAMES

    if args.tab not in TAB_NAMES:
        return _fail(
            # Translators: {names} are the plots' names as --tab takes them, in English.
            _("--tab must be one of {names}, got {tab}").format(
                names=", ".join(TAB_NAMES), tab=repr(args.tab)
            )
        )

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
        return _fail(_("cannot write the screenshot: {error}").format(error=error))
    if (width, height) == args.size or args.thumbnail:
        line = _("Wrote {path} ({width}x{height})")
    else:
        line = _("Wrote {path} ({width}x{height}, the smallest the window can be)")
    _say(line.format(path=args.out, width=width, height=height))
    return 0


def _unwritable(path: Path) -> str:
    """Why a file cannot be written at `path`, or '': checked before a window opens, since a
    window that fails to write its screenshot takes the process down with it."""
    folder = path.parent
    if path.is_dir():
        return _("{path} is a folder; give the file name of the PNG to write").format(path=path)
    if not folder.is_dir():
        return _("cannot write {path}: the folder {folder} does not exist").format(
            path=path, folder=folder
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        return _("cannot write {path}: the folder {folder} is not writable").format(
            path=path, folder=folder
        )
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


def _warn(message: str) -> None:
    # Translators: a warning on stderr after "layerlab: "; the run goes on or has ended well.
    print("layerlab: " + _("warning: {message}").format(message=message), file=sys.stderr)


def _cannot_write(folder: Path, error: OSError) -> str:
    reason = error.strerror or error
    # Translators: {reason} is the system's reason, e.g. "Permission denied".
    return _("cannot write to {folder}: {reason}").format(folder=folder, reason=reason)


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
            _warn(resume.warning)
    elif args.experiment is None:
        return _fail(_("give an experiment file, or --resume FOLDER to continue a trained one"))
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
            # Translators: ends the sentence "...; or {fetch} to fetch them (12 MB)."
            fetch = _("add --download")
            return _fail(vision.missing_message(name, root, fetch=fetch))
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
        return _fail(
            _("{path} is a file; give the folder to write the script into").format(path=args.out)
        )
    try:
        written = export_script(experiment, data_task(experiment.data), args.out)
    except ValueError as error:  # a model that does not fit its data: the engine's sentence
        return _fail(str(error))
    except OSError as error:
        return _fail(_cannot_write(args.out, error))
    # Translators: {files} names the files written ("train.py and data.npz"), {script} train.py.
    line = _("Wrote {files} to {folder}; run it there: python {script}")
    _say(line.format(files=listed(written), folder=args.out, script=SCRIPT_FILE))
    return 0


def export_command(args: argparse.Namespace) -> int:
    from models.checkpoint import CheckpointError
    from models.formats import FormatError, export_format

    if not args.folder.is_dir():
        return _fail(
            _("{path} is not a folder; give the folder that holds model.pt").format(
                path=args.folder
            )
        )
    try:
        written = export_format(args.folder, args.format)
    except (CheckpointError, FormatError) as error:
        return _fail(str(error))
    except KeyboardInterrupt:
        print("layerlab: " + _("export interrupted; nothing was kept"), file=sys.stderr)
        return 130
    except OSError as error:
        return _fail(_cannot_write(args.folder, error))
    difference = written.largest_difference
    if difference == 0:
        line = _("Wrote {path} (loaded back and checked: outputs the same)")
    else:
        # Translators: {difference}: the largest gap to the model's outputs, e.g. 3e-07.
        line = _(
            "Wrote {path} (loaded back and checked: outputs within {difference:.2g} of the model's)"
        )
    _say(line.format(path=written.path, difference=difference))
    return 0


def _download(name: str, root: Path) -> int:
    from app.datasets import vision

    dataset = vision.VISION_DATASETS[name]
    # Translators: {dataset} is a dataset's name (MNIST), {folder} where its files go.
    _say(_("Downloading {dataset} into {folder}").format(dataset=dataset.title, folder=root))
    progress = _Progress(sys.stderr)
    try:
        vision.download(name, root, progress=progress.show_bytes)
    except vision.DownloadError as error:
        progress.clear()
        return _fail(str(error))
    except KeyboardInterrupt:
        progress.clear()
        return _fail(_("download interrupted; files not complete were removed"))
    progress.clear()
    _say(_("Download complete."))
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
            return _fail(_cannot_write(out, error))
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
                _say(_started_line(experiment.title, report))
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
        print(_("Interrupted: saving the weights trained so far."), file=sys.stderr)
    except RunError as error:  # the engine kept the last finite weights: save them too
        failure = str(error)
    progress.clear()
    if log is not None:
        log.close()
        folder = out / TENSORBOARD_FOLDER
        # Translators: how to look at the run's event files; the command stays as it is.
        _say(_("TensorBoard: tensorboard --logdir {folder}").format(folder=folder))
    source = model_source(experiment, trainer.dataset.task)
    try:
        # metrics.csv belongs to the run's set: all four files are this run's, or none
        metrics_text = history.metrics_csv()
        if resume is not None and resume.metrics_before:  # the rows it continues come first
            metrics_text = resume.metrics_before + metrics_text.split("\n", 1)[1]
        metrics = {"metrics.csv": metrics_text.encode()}
        save_checkpoint(out, trainer.state_dict(), experiment.to_dict(), source, metrics)
    except OSError as error:
        print("layerlab: " + _cannot_write(out, error), file=sys.stderr)
        return 1
    _say(
        _("Wrote model.pt, experiment.json, model.py and metrics.csv to {folder}").format(
            folder=out
        )
    )
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
        _warn(finished.warning)
    return 0


def _started_line(title: str, report) -> str:
    """The run's first line: what trains, on how much data, for how long, where."""
    # Translators: {title}: the title in quotes; {device}: cpu, cuda:0; {count}: the epochs.
    line = ngettext(
        "Training {title}: {parameters:,} parameters, {train:,} training and {validation:,} "
        "validation samples, {count:,} epoch on {device} ({dtype})",
        "Training {title}: {parameters:,} parameters, {train:,} training and {validation:,} "
        "validation samples, {count:,} epochs on {device} ({dtype})",
        report.epochs,
    )
    # Translators: the experiment's title in quotes.
    quoted = _("'{title}'").format(title=_(title))  # an example's title is in the catalog
    return line.format(
        title=quoted,
        parameters=report.param_count,
        train=report.train_samples,
        validation=report.val_samples,
        count=report.epochs,
        device=report.device,
        dtype=report.dtype,
    )


def _epoch_of(epoch, epochs: int) -> str:
    # Translators: the epoch a line or the progress bar is at, of all the run's epochs.
    return _("epoch {epoch}/{epochs}").format(epoch=epoch, epochs=epochs)


def _epoch_line(report, epochs: int) -> str:
    """One line per epoch, its columns two spaces apart."""
    width = len(str(epochs))
    columns = [
        _epoch_of(f"{report.epoch:>{width}}", epochs),
        _("train loss {loss:.4f}").format(loss=report.train_loss),
    ]
    if report.val_loss is not None:
        columns.append(_("val loss {loss:.4f}").format(loss=report.val_loss))
    if report.val_accuracy is not None:
        columns.append(_("val accuracy {accuracy:.1%}").format(accuracy=report.val_accuracy))
    if report.val_rmse is not None:
        columns.append(
            _("val RMSE {rmse:.4g}  R\u00b2 {r2:.3f}").format(
                rmse=report.val_rmse, r2=report.val_r2
            )
        )
    return "  ".join(columns)


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
        columns = (
            f"[{bar}] {done / self.total:4.0%}",
            _epoch_of(report.epoch + 1, self.epochs),
            # Translators: the progress bar's step of all the run's steps.
            _("step {step}/{steps}").format(step=done, steps=self.total),
            _("{rate:,.0f} samples/s").format(rate=report.samples_per_second),
            # Translators: the time the run has left, as 1:05 (minutes:seconds) or ?.
            _("left {time}").format(time=eta),
        )
        self.stream.write("\r" + "  ".join(columns) + "  ")
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
            # Translators: download progress, e.g. "3.2 of 11.6 MB".
            of = _("{done} of {total} MB").format(done=megabytes, total=f"{total / 1e6:.1f}")
            line = f"[{bar}] {done / total:4.0%}  {of}"
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
