"""Domain errors; one handler turns them into JSON (API) or an error page (pages)."""

from __future__ import annotations


class AppError(Exception):
    """An error with an HTTP status and a message that is safe to show."""

    status_code = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFoundError(AppError):
    """The resource does not exist."""

    status_code = 404


class ConflictError(AppError):
    """The resource already exists."""

    status_code = 409


class ForbiddenError(AppError):
    """Authenticated, but not allowed."""

    status_code = 403


class UnauthorizedError(AppError):
    """Missing or invalid credentials."""

    status_code = 401


class PayloadTooLargeError(AppError):
    """The request body is larger than allowed."""

    status_code = 413


class UnsupportedMediaError(AppError):
    """The request body's type (or the uploaded file's type) is not accepted."""

    status_code = 415
