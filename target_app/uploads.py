"""Streaming ``multipart/form-data`` receiver: the file part goes straight to disk in chunks.

Starlette's ``request.form()`` spools files to an anonymous temporary file that must be copied
again; this receiver writes the one file part directly into the upload folder as it arrives,
so a 500 MB upload costs one write and a few kilobytes of memory.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from target_app.errors import AppError, PayloadTooLargeError, UnsupportedMediaError

MiB = 1024 * 1024
MAX_UPLOAD_BYTES = 500 * MiB
MAX_FIELD_BYTES = 64 * 1024
MAX_FIELDS = 20


@dataclass
class ReceivedFile:
    """The stored file part of an upload."""

    filename: str
    content_type: str | None
    path: Path
    size: int = 0


@dataclass
class ReceivedForm:
    """Text fields and the (optional) file of a multipart body."""

    fields: dict[str, str] = field(default_factory=dict)
    file: ReceivedFile | None = None

    def discard(self) -> None:
        """Delete the stored file (on any failure after receiving)."""
        if self.file is not None:
            self.file.path.unlink(missing_ok=True)


class _Receiver:
    """python-multipart callbacks that route each part to a field buffer or the file."""

    def __init__(self, dest_dir: Path, file_field: str, max_file_bytes: int) -> None:
        self.form = ReceivedForm()
        self._dest_dir, self._file_field, self._max_file = dest_dir, file_field, max_file_bytes
        self._headers: dict[bytes, bytes] = {}
        self._header_field = self._header_value = b""
        self._name = ""
        self._buffer = bytearray()
        self._sink: BinaryIO | None = None
        self._skip = False

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": self._header_field_data,
            "on_header_value": self._header_value_data,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        }

    def _part_begin(self) -> None:
        self._headers, self._buffer, self._skip = {}, bytearray(), False

    def _header_field_data(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def _header_value_data(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._header_field.lower()] = self._header_value
        self._header_field = self._header_value = b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = options.get(b"name", b"").decode("latin-1")
        filename = options.get(b"filename")
        if filename is None:
            if len(self.form.fields) >= MAX_FIELDS:
                raise PayloadTooLargeError(f"At most {MAX_FIELDS} form fields are accepted")
            return
        if self._name != self._file_field or self.form.file is not None:
            self._skip = True  # other file parts are ignored, not stored
            return
        handle, path = tempfile.mkstemp(prefix="upload-", suffix=".part", dir=self._dest_dir)
        self._sink = os.fdopen(handle, "wb", buffering=MiB)
        content_type = self._headers.get(b"content-type")
        self.form.file = ReceivedFile(
            filename=os.path.basename(filename.decode("utf-8", "replace")),
            content_type=content_type.decode("latin-1") if content_type else None,
            path=Path(path),
        )

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._skip:
            return
        if self._sink is not None and self.form.file is not None:
            self.form.file.size += end - start
            if self.form.file.size > self._max_file:
                raise PayloadTooLargeError(f"The file is larger than {self._max_file // MiB} MB")
            self._sink.write(data[start:end])
            return
        self._buffer += data[start:end]
        if len(self._buffer) > MAX_FIELD_BYTES:
            raise PayloadTooLargeError(f"Form field '{self._name}' is larger than 64 KiB")

    def _part_end(self) -> None:
        if self._sink is not None:
            self._sink.close()
            self._sink = None
        elif not self._skip:
            try:
                self.form.fields.setdefault(self._name, self._buffer.decode("utf-8"))
            except UnicodeDecodeError as exc:
                raise AppError(f"Form field '{self._name}' is not valid UTF-8") from exc

    def close(self) -> None:
        if self._sink is not None:
            self._sink.close()


def _boundary(request: Request) -> bytes:
    media, options = parse_options_header(request.headers.get("content-type"))
    if media != b"multipart/form-data":
        raise UnsupportedMediaError("Expected a multipart/form-data body")
    boundary = options.get(b"boundary")
    if not boundary:
        raise AppError("The multipart body has no boundary")
    return boundary


async def receive_form(
    request: Request,
    dest_dir: Path,
    *,
    file_field: str = "file",
    max_file_bytes: int = MAX_UPLOAD_BYTES,
) -> ReceivedForm:
    """Stream a multipart body: text fields in memory (small), the file part to ``dest_dir``."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > max_file_bytes + MiB:
        raise PayloadTooLargeError(f"The upload is larger than {max_file_bytes // MiB} MB")
    dest_dir.mkdir(parents=True, exist_ok=True)
    receiver = _Receiver(dest_dir, file_field, max_file_bytes)
    parser = MultipartParser(_boundary(request), receiver.callbacks())  # type: ignore[arg-type]
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError as exc:
        receiver.close()
        receiver.form.discard()
        raise AppError("Malformed multipart body") from exc
    except BaseException:
        receiver.close()
        receiver.form.discard()
        raise
    return receiver.form
