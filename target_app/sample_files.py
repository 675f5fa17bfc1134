"""Small generated model files for seeded models (seeded rows have no file on disk)."""

from __future__ import annotations

import json

from target_app.domain import FileFormat

_VERTICES = ((0.0, 0.0, 0.0), (1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))
_FACES = ((0, 2, 1), (0, 1, 3), (0, 3, 2), (1, 2, 3))


def _scaled(model_id: int) -> list[tuple[float, float, float]]:
    scale = 1 + model_id % 7
    return [(x * scale, y * scale, z * scale) for x, y, z in _VERTICES]


def _stl(model_id: int) -> bytes:
    v = _scaled(model_id)
    lines = [f"solid model{model_id}"]
    for a, b, c in _FACES:
        lines += ["facet normal 0 0 0", " outer loop"]
        lines += [f"  vertex {x} {y} {z}" for x, y, z in (v[a], v[b], v[c])]
        lines += [" endloop", "endfacet"]
    return ("\n".join([*lines, f"endsolid model{model_id}"]) + "\n").encode()


def _obj(model_id: int) -> bytes:
    lines = [f"# model {model_id}"] + [f"v {x} {y} {z}" for x, y, z in _scaled(model_id)]
    lines += [f"f {a + 1} {b + 1} {c + 1}" for a, b, c in _FACES]
    return ("\n".join(lines) + "\n").encode()


def _ply(model_id: int) -> bytes:
    head = [
        "ply",
        "format ascii 1.0",
        f"comment model {model_id}",
        "element vertex 4",
        "property float x",
        "property float y",
        "property float z",
        "element face 4",
        "property list uchar int vertex_indices",
        "end_header",
    ]
    body = [f"{x} {y} {z}" for x, y, z in _scaled(model_id)]
    body += [f"3 {a} {b} {c}" for a, b, c in _FACES]
    return ("\n".join(head + body) + "\n").encode()


def _gltf(model_id: int) -> bytes:
    doc = {
        "asset": {"version": "2.0", "generator": "target_app seed"},
        "scenes": [{"nodes": [0]}],
        "nodes": [{"name": f"model{model_id}"}],
    }
    return json.dumps(doc).encode()


def _glb(model_id: int) -> bytes:
    payload = _gltf(model_id)
    payload += b" " * (-len(payload) % 4)
    chunk = len(payload).to_bytes(4, "little") + b"JSON" + payload
    total = 12 + len(chunk)
    return b"glTF" + (2).to_bytes(4, "little") + total.to_bytes(4, "little") + chunk


_BUILDERS = {
    FileFormat.stl.value: _stl,
    FileFormat.obj.value: _obj,
    FileFormat.ply.value: _ply,
    FileFormat.gltf.value: _gltf,
    FileFormat.glb.value: _glb,
}


def sample_file(model_id: int, file_format: str) -> bytes:
    """Deterministic content of a seeded model's file."""
    builder = _BUILDERS.get(file_format)
    if builder is None:
        return f"{file_format.upper()} placeholder for model {model_id}\n".encode()
    return builder(model_id)
