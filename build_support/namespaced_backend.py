"""PEP 517 build backend: setuptools' wheel, with every top-level package moved under `release_harness`.

The repository keeps its top-level folders (``harness``, ``reports``, ``scenarios``, ...), which is how
the tests, the nox sessions and an editable install see them. Generic names like ``reports`` or
``security`` must not reach a team's site-packages, where they would shadow the team's own packages
(the e2e stage even runs inside the team's pytest process). So the wheel setuptools builds is
rewritten once, here:

- every top-level package ``X`` becomes ``release_harness/X``;
- absolute imports of those packages (``from reports import html``, ``import harness``) are
  rewritten to ``release_harness.X`` (found with `ast`, so no string or comment is touched);
- string literals that name one of the wheel's modules with at least two segments
  (``"e2e.plugin"`` for ``pytest -p``, ``"scenarios.stage:run"`` in the stage registry) get the
  prefix too; a single segment (``"e2e"``) is a stage name, never rewritten;
- ``-m X`` in a data file's command line (the bundled app's ``harness.toml``) and the console script
  entry points follow;
- ``RECORD`` and ``top_level.txt`` are written again.

An editable install (``build_editable``) is setuptools' own: development keeps the top-level names.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import io
import re
import zipfile
from pathlib import Path

from setuptools import build_meta as _setuptools
from setuptools.build_meta import (  # noqa: F401 - the PEP 517 hooks this backend does not change
    build_editable,
    build_sdist,
    get_requires_for_build_editable,
    get_requires_for_build_sdist,
    get_requires_for_build_wheel,
    prepare_metadata_for_build_editable,
    prepare_metadata_for_build_wheel,
)

NAMESPACE = "release_harness"
_MODULE_STRING = re.compile(r"^(?P<module>[A-Za-z_]\w*(?:\.\w+)+)(?P<attr>:[\w.]+)?$")
_FROM = re.compile(rb"from\s+")
_QUOTED_MODULE = re.compile(rb'"(?P<module>[A-Za-z_]\w*(?:\.\w+)*)(?::[\w.]+)?"')


def build_wheel(
    wheel_directory: str, config_settings: dict[str, object] | None = None, metadata_directory: str | None = None
) -> str:
    """setuptools' wheel, namespaced in place (same file name)."""
    name: str = _setuptools.build_wheel(wheel_directory, config_settings, metadata_directory)
    namespace_wheel(Path(wheel_directory) / name)
    return name


def namespace_wheel(wheel: Path) -> None:
    """Rewrite ``wheel`` so that every top-level package lives under `NAMESPACE`."""
    with zipfile.ZipFile(wheel) as source:
        files = {info.filename: source.read(info) for info in source.infolist() if not info.is_dir()}
    dist_info = next(name.split("/")[0] for name in files if name.split("/")[0].endswith(".dist-info"))
    packages = {name.split("/")[0] for name in files if "/" in name and not name.startswith(dist_info)}
    modules = _module_names(files, packages)
    moved: dict[str, bytes] = {f"{NAMESPACE}/__init__.py": _namespace_init()}
    for name, data in files.items():
        if name.startswith(dist_info):
            moved[name] = _dist_info_file(name, data, packages)
        else:
            moved[f"{NAMESPACE}/{name}"] = _package_file(name, data, packages, modules)
    _write(wheel, moved, dist_info)


def _namespace_init() -> bytes:
    return b'"""release-harness: every package of the distribution, under one name."""\n'


def _module_names(files: dict[str, bytes], packages: set[str]) -> set[str]:
    """Dotted names of every module and package in the wheel (``e2e.plugin``, ``harness``)."""
    names = set()
    for name in files:
        if name.endswith(".py") and name.split("/")[0] in packages:
            parts = name[: -len(".py")].split("/")
            names.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def _package_file(name: str, data: bytes, packages: set[str], modules: set[str]) -> bytes:
    if name.endswith(".py"):
        return rewrite_source(data, packages, modules, origin=name)
    if name.endswith(".toml"):
        return _rewrite_module_strings(name, data, modules)
    return data


def _dist_info_file(name: str, data: bytes, packages: set[str]) -> bytes:
    if name.endswith("/entry_points.txt"):
        return _rewrite_entry_points(data, packages)
    if name.endswith("/top_level.txt"):
        return f"{NAMESPACE}\n".encode()
    return data


def rewrite_source(source: bytes, packages: set[str], modules: set[str], origin: str = "<source>") -> bytes:
    """``source`` with its absolute imports of ``packages`` and its module-name strings namespaced."""
    tree = ast.parse(source, filename=origin)
    offsets = _line_offsets(source)
    edits: list[tuple[int, int, bytes]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and _top(node.module) in packages:
            edits.append(_from_edit(source, offsets, node))
        elif isinstance(node, ast.Import) and any(_top(alias.name) in packages for alias in node.names):
            edits.append((*_span(offsets, node), _import_statement(node, packages).encode()))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            edit = _string_edit(source, offsets, node, modules, origin)
            if edit:
                edits.append(edit)
    for start, end, text in sorted(edits, reverse=True):
        source = source[:start] + text + source[end:]
    return source


def _top(module: str | None) -> str:
    return (module or "").split(".")[0]


def _line_offsets(source: bytes) -> list[int]:
    """Byte offset of the start of each line (ast positions are 1-based lines, byte columns)."""
    offsets = [0, 0]
    for line in source.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    return offsets


def _span(offsets: list[int], node: ast.expr | ast.stmt) -> tuple[int, int]:
    end_line, end_col = node.end_lineno or node.lineno, node.end_col_offset or node.col_offset  # set by ast.parse
    return offsets[node.lineno] + node.col_offset, offsets[end_line] + end_col


def _from_edit(source: bytes, offsets: list[int], node: ast.ImportFrom) -> tuple[int, int, bytes]:
    """Insert the namespace before the module of ``from X import ...``."""
    start, _ = _span(offsets, node)
    keyword = _FROM.match(source, start)
    if keyword is None:
        raise ValueError(f"line {node.lineno}: an import statement the namespacing cannot read")
    return keyword.end(), keyword.end(), f"{NAMESPACE}.".encode()


def _import_statement(node: ast.Import, packages: set[str]) -> str:
    """``import X.Y`` binds ``X``: the namespaced form binds the same name."""
    parts = []
    for alias in node.names:
        if _top(alias.name) not in packages:
            parts.append(f"import {alias.name}" + (f" as {alias.asname}" if alias.asname else ""))
        elif alias.asname:
            parts.append(f"import {NAMESPACE}.{alias.name} as {alias.asname}")
        else:
            if "." in alias.name:
                parts.append(f"import {NAMESPACE}.{alias.name}")
            parts.append(f"from {NAMESPACE} import {_top(alias.name)}")
    return "; ".join(parts)


def _string_edit(
    source: bytes, offsets: list[int], node: ast.Constant, modules: set[str], origin: str
) -> tuple[int, int, bytes] | None:
    value = str(node.value)
    match = _MODULE_STRING.match(value)
    if match is None or match["module"] not in modules:
        return None
    start, end = _span(offsets, node)
    literal = source[start:end].decode()
    if len(literal) < 2 or literal[0] not in "\"'" or literal[-1] != literal[0] or literal[1:-1] != value:
        raise ValueError(f"{origin}:{node.lineno}: module name {value!r} in a literal the build cannot rewrite")
    return start, end, f"{literal[0]}{NAMESPACE}.{value}{literal[0]}".encode()


def _rewrite_module_strings(name: str, data: bytes, modules: set[str]) -> bytes:
    """Module names in a data file: ``"-m", "target_app"`` and ``coverage_source = ["target_app"]`` in the
    bundled app's own description, ``"target_app.a11y_states:STATES"``. A single segment is rewritten
    only when it is the file's own package (elsewhere ``"e2e"`` is a stage name)."""
    own = name.split("/")[0]

    def namespaced(match: re.Match[bytes]) -> bytes:
        module = match["module"].decode()
        if module in modules and ("." in module or module == own):
            return b'"' + f"{NAMESPACE}.".encode() + match[0][1:]
        return match[0]

    return _QUOTED_MODULE.sub(namespaced, data)


def _rewrite_entry_points(data: bytes, packages: set[str]) -> bytes:
    lines = []
    for line in data.decode().splitlines():
        name, sep, target = line.partition("=")
        if sep and _top(target.strip()) in packages:
            line = f"{name}= {NAMESPACE}.{target.strip()}"
        lines.append(line)
    return ("\n".join(lines) + "\n").encode()


def _write(wheel: Path, files: dict[str, bytes], dist_info: str) -> None:
    record_name = f"{dist_info}/RECORD"
    rows = [f"{name},{_digest(data)},{len(data)}" for name, data in sorted(files.items()) if name != record_name]
    files[record_name] = ("\n".join([*rows, f"{record_name},,"]) + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        # dist-info last, as wheel installers expect.
        for name in sorted(files, key=lambda n: (n.startswith(dist_info), n)):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            target.writestr(info, files[name], zipfile.ZIP_DEFLATED)
    wheel.write_bytes(buffer.getvalue())


def _digest(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
