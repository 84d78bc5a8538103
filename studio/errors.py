"""The studio's error types.

Every error a user can cause is a :class:`StudioError` whose message names the
bad value. Front ends translate them in one place each (``gr.Error`` in the UI,
an HTTP status in the API); nothing else catches them.
"""

from __future__ import annotations


class StudioError(Exception):
    """Base class: ``str(error)`` is a short message fit to show a user."""

    #: HTTP status an API front end answers with.
    http_status: int = 400


class InvalidRequestError(StudioError):
    """A value in a request breaks a rule (the message names value and rule)."""

    http_status = 422


class UnknownModelError(StudioError):
    """A model key, hub id or folder that the registry cannot resolve."""

    http_status = 404


class ModelLoadError(StudioError):
    """A model was found but could not be loaded."""

    http_status = 500


class OutOfMemoryError(StudioError):
    """A generation ran out of device memory; the studio freed it and goes on."""

    http_status = 507


class JobNotFoundError(StudioError):
    """No job has the given id."""

    http_status = 404


class JobCanceledError(StudioError):
    """Raised inside a running job when its cancellation was requested."""

    http_status = 409


class InvalidMediaError(StudioError):
    """An uploaded file is not a usable image or video."""

    http_status = 422


class LoraError(StudioError):
    """A LoRA that cannot be found, fetched or applied to the model (the message names it)."""

    http_status = 422


class ExportFormatError(StudioError):
    """The requested export format cannot be written by this build (a missing encoder)."""

    http_status = 422


# -- jobs API ------------------------------------------------------------------------


class JobFinalError(StudioError):
    """A job in a final state (succeeded, failed, canceled) was asked to change."""

    http_status = 409


class DataDirBusyError(StudioError):
    """Another studio process holds the data folder."""

    http_status = 503


class FileTooLargeError(StudioError):
    """An upload is larger than the operator's limit."""

    http_status = 413


class FileNotFoundInStudioError(StudioError):
    """No upload has the given handle for this caller (never says whether another caller has it)."""

    http_status = 422


# -- provenance --


class PolicyViolationError(StudioError):
    """A prompt was refused by the operator's content policy (the message names the category, never the rule)."""

    http_status = 422


class PolicyFileError(StudioError):
    """The operator's policy file is missing or does not parse (the message names the file and the problem)."""

    http_status = 500


class SigningConfigError(StudioError):
    """The content-credential certificate or key is unusable (mismatched, expired, unreadable)."""

    http_status = 500


def describe_validation_error(exc: Exception) -> str:
    """One line naming every bad field and value of a pydantic ``ValidationError``."""
    parts = []
    for error in exc.errors():  # type: ignore[attr-defined]
        field = ".".join(str(p) for p in error["loc"]) or "request"
        message = error["msg"].removeprefix("Value error, ").replace("Input should be", "must be")
        if error["type"] == "extra_forbidden":
            message = "is not a known setting"
        elif error["type"] == "missing":
            parts.append(f"{field} is required")
            continue
        parts.append(f"{field} {message}, got {error.get('input')!r}")
    return "; ".join(parts)


class NotReadyError(StudioError):
    """A job's output was asked for before the job produced it."""

    http_status = 409


class JobStateError(StudioError):
    """The job is not in a state that allows the action (e.g. accepting keyframes of a job that is not waiting)."""

    http_status = 409


# -- scale out (Ray) --
class ClusterError(StudioError):
    """The Ray cluster cannot serve the studio's settings (unreachable, too few GPUs, Ray not installed)."""

    http_status = 503


class WorkerLostError(StudioError):
    """The Ray worker running a job died (actor killed, node lost); the job may run again elsewhere."""

    http_status = 503

    def __init__(self, message: str, worker: str) -> None:
        super().__init__(message)
        self.worker = worker

    def __reduce__(self) -> tuple:
        return (type(self), (str(self), self.worker))
