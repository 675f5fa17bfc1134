"""Terminal output: stage progress bars and status lines (stderr, so stdout stays parseable)."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from harness.secrets import redact

err_console = Console(stderr=True, highlight=False)


class StageProgress:
    """A `harness.stages.Progress` drawing one rich progress bar per stage step."""

    def __init__(self, stage: str, console: Console = err_console) -> None:
        self.stage = stage
        self._console = console
        self._bar = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.fields[stage]}[/] {task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._task: TaskID | None = None

    def __enter__(self) -> StageProgress:
        self._bar.start()
        self._task = self._bar.add_task("starting", total=None, stage=self.stage)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._bar.stop()

    def start(self, description: str, total: float | None = None) -> None:
        """Begin a step of the stage, with a known total when there is one."""
        if self._task is not None:
            self._bar.update(self._task, description=redact(description), total=total, completed=0)

    def advance(self, amount: float = 1.0) -> None:
        """Move the bar forward."""
        if self._task is not None:
            self._bar.advance(self._task, amount)

    def log(self, message: str) -> None:
        """Print a line above the bar."""
        self._console.print(f"  {redact(message)}")


def say(message: str) -> None:
    """One status line on stderr."""
    err_console.print(redact(message))
