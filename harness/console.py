"""Terminal output: stage progress and status lines (stderr, so stdout stays parseable).

On a terminal each stage gets a live progress bar with its figures; without one (a CI log) it gets
a heartbeat line at a fixed interval instead (`harness.progress`), and no live display at all: rich
would only leave blank lines behind. Stages that run at once share one display (`Board`): a bar
each, and every line they print names its stage.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from harness.progress import Heartbeat, StageStatus, heartbeat_line
from vocabulary.secrets import redact

err_console = Console(stderr=True, highlight=False)


class StageProgress:
    """A `stagekit.stages.Progress`: a rich progress bar with live figures on a terminal, else a heartbeat."""

    def __init__(
        self,
        stage: str,
        heartbeat_s: float,
        console: Console = err_console,
        *,
        bar: Progress | None = None,
        tagged: bool = False,
    ) -> None:
        """``bar``: the display shared with the stages running at once (`Board`), else one of its own;
        ``tagged``: the lines it logs name the stage (several stages print at once)."""
        self.stage = stage
        self.status = StageStatus(stage)
        self._console = console
        self._tag = f"{stage}: " if tagged else ""
        self._own_bar = bar is None and console.is_terminal
        self._bar: Progress | None = _bar(console) if self._own_bar else bar
        self._heartbeat: Heartbeat | None = None
        if not console.is_terminal:
            self._heartbeat = Heartbeat(lambda: heartbeat_line(self.status), self._print, heartbeat_s)
        self._task: TaskID | None = None
        self._running = contextlib.ExitStack()

    def __enter__(self) -> StageProgress:
        if self._bar is not None:
            if self._own_bar:
                self._bar.start()
                self._running.callback(self._bar.stop)
            self._task = self._bar.add_task("starting", total=None, stage=self.stage, figures="")
            self._running.callback(self._bar.remove_task, self._task)
        if self._heartbeat is not None:
            self._running.enter_context(self._heartbeat)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._running.close()

    def start(self, description: str, total: float | None = None) -> None:
        """Begin a step of the stage, with a known total when there is one."""
        self.status.start(redact(description), total)
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, description=self.status.description, total=total, completed=0, figures="")

    def advance(self, amount: float = 1.0) -> None:
        """Move the bar forward."""
        self.status.completed += amount
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task, amount)

    def figures(self, text: str) -> None:
        """Show the step's live figures (until the next ones)."""
        self.status.figures = redact(text)
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, figures=self.status.figures)

    def log(self, message: str) -> None:
        """Print a line above the bar."""
        self._print(f"  {self._tag}{redact(message)}")

    def _print(self, line: str) -> None:
        # Not markup: a figure or an endpoint name like "[id]" is printed as it is; one line, never
        # wrapped at rich's 80 columns of a CI log.
        self._console.print(line, markup=False, soft_wrap=True)


class Board:
    """The live display of the stages that run at once: on a terminal one bar each under one rich display
    (rich draws one live display at a time), without one each stage's heartbeat; what they log names them."""

    def __init__(self, stages: Sequence[str], heartbeat_s: float, console: Console = err_console) -> None:
        together = len(stages) > 1
        self._bar = _bar(console) if together and console.is_terminal else None
        self.progress = {
            stage: StageProgress(stage, heartbeat_s, console, bar=self._bar, tagged=together) for stage in stages
        }
        """Each stage's `Progress`, entered by the stage's own thread."""

    def __enter__(self) -> Board:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.stop()


def _bar(console: Console) -> Progress:
    """A stage's line of the live display: spinner, stage, step, bar, percentage, time, live figures."""
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.fields[stage]}[/] {task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[figures]}", markup=False),
        console=console,
        transient=True,
    )


def say(message: str) -> None:
    """One status line on stderr (not wrapped: a CI log is wider than rich's 80 columns)."""
    err_console.print(redact(message), soft_wrap=True)
