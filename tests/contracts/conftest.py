"""Fixtures for the contracts stage tests: the bundled app (clean and faulty), foreign apps, stage contexts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from stagekit.description import TargetDescription
from stagekit.stages import StageContext, TargetInfo
from stagekit.target import AppProcess, bundled_app
from tests.fixtures.target import bundled_info
from tests.foreign_apps.fixtures import notes_app, shelf_app  # noqa: F401 - fixtures for test_foreign_apps

MakeContext = Callable[..., StageContext]


def _serve(tmp: Path, faults: tuple[str, ...]) -> Iterator[AppProcess]:
    with bundled_app(tmp / "target.log", faults=faults, data_dir=tmp / "data") as target:
        yield target


@pytest.fixture(scope="module")
def clean_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    """The bundled app without faults, on a free loopback port."""
    yield from _serve(tmp_path_factory.mktemp("clean-app"), ())


@pytest.fixture(scope="module")
def faulty_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppProcess]:
    """The bundled app with both contract faults: a schema-violating and a 5xx-emitting operation."""
    yield from _serve(tmp_path_factory.mktemp("faulty-app"), ("schema-violation", "error-rate"))


def stage_context(
    run_dir: Path,
    url: str,
    *,
    openapi: str | None = None,
    description: TargetDescription | None = None,
    profile: str = "smoke",
    **options: Any,
) -> StageContext:
    """A contracts `StageContext` for a target URL: the bundled app's description unless one is given;
    the schema defaults to ``<url>/openapi.json``."""
    artifacts = run_dir / "contracts"
    artifacts.mkdir(parents=True, exist_ok=True)
    target = bundled_info(url) if description is None else TargetInfo(url=url, description=description)
    return StageContext(
        stage="contracts",
        profile=profile,
        target=target,
        openapi=openapi or f"{url}/openapi.json",
        run_dir=run_dir,
        artifacts=artifacts,
        options=options,
    )


@pytest.fixture
def make_context(tmp_path: Path) -> MakeContext:
    """`stage_context` bound to this test's temporary run folder."""

    def make(url: str, **kwargs: Any) -> StageContext:
        return stage_context(tmp_path, url, **kwargs)

    return make
