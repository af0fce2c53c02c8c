"""Exceptions raised by the client.

Every error the server returns is a JSON body ``{"error": {"code": "...", "message": "..."}}``
with an HTTP status. :func:`api_error` turns it into the most specific class below, chosen by the
stable ``code`` first and by the status when the code is one this client does not know, so a
newer server never makes the client fail to report an error.

::

    LeannError
    ├── LeannConnectionError        the server cannot be reached
    ├── JobFailedError              an ingest job ended in state "failed"
    ├── JobTimeoutError             an ingest job did not finish in time (also a TimeoutError)
    └── LeannApiError               the server answered with an error (status, code, message)
        ├── BadRequestError         400: the message names the field (bad_request, invalid_json, unknown_model)
        │   └── PayloadTooLargeError 413
        ├── AuthenticationError     401/403: API key missing or wrong, or its scope too low
        ├── NotFoundError           404: unknown index, job, shard or node
        ├── ConflictError           409: the index exists with other settings
        └── ServerError             5xx
            ├── UnavailableError    503: no shard or worker answered in time
            └── LlmError            502/503: the language model failed (llm_error, llm_auth_failed)
                ├── LlmUnavailableError    llm_unavailable (also an UnavailableError)
                └── LlmNotConfiguredError  llm_not_configured: the server has no such model set up
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Optional, Type

if TYPE_CHECKING:  # pragma: no cover
    from .types import JobStatus


class LeannError(Exception):
    """Base class of every exception this client raises on purpose."""


class LeannConnectionError(LeannError):
    """The server could not be reached (refused, DNS, TLS, or the connection broke)."""


class LeannApiError(LeannError):
    """The server answered with an error.

    Attributes:
        status: the HTTP status, or None for an error sent as an event inside a stream
        code: the server's stable error code, e.g. ``not_found``
        message: the server's explanation, for people
        retry_after: seconds the server asked to wait before trying again (``Retry-After``), or None
    """

    retry_after: Optional[float] = None

    def __init__(self, status: Optional[int], code: str, message: str) -> None:
        super().__init__(f"{message} ({code}{'' if status is None else ', HTTP ' + str(status)})")
        self.status = status
        self.code = code
        self.message = message


class BadRequestError(LeannApiError):
    """The request was refused as invalid; the message names the field."""


class PayloadTooLargeError(BadRequestError):
    """The request body, or the number of documents in it, is over the server's limit."""


class AuthenticationError(LeannApiError):
    """The request lacked a valid API key (401 ``unauthorized``) or its key's scope is too low
    (403 ``forbidden``): pass ``api_key=`` or set ``$LEANN_API_KEY``."""


class NotFoundError(LeannApiError):
    """No such index, job, shard or node (or no such route)."""


class ConflictError(LeannApiError):
    """The index exists with settings other than the ones asked for."""


class ServerError(LeannApiError):
    """The server failed (5xx); its log has the details."""


class UnavailableError(ServerError):
    """The cluster did not answer in time, or has no shard or worker for the request."""


class LlmError(ServerError):
    """The language model behind chat or the agent failed or refused the server's key."""


class LlmUnavailableError(LlmError, UnavailableError):
    """The language model is unreachable, overloaded, or took too long."""


class LlmNotConfiguredError(LlmError):
    """The server has no such language model set up (no key, no host), or the request needs a
    real model and only the extractive provider is available."""


class JobFailedError(LeannError):
    """An ingest job failed; ``job`` holds its last status (``job.error`` says why)."""

    def __init__(self, job: "JobStatus") -> None:
        super().__init__(f"ingest job {job.id} into index '{job.index}' failed: {job.error}")
        self.job = job


class JobTimeoutError(LeannError, TimeoutError):
    """An ingest job was still running when the wait ended; ``job`` holds its last status. The job
    goes on in the server: wait on it again with ``LeannAdmin.wait_for_job(job.id)``."""

    def __init__(self, job: "JobStatus", waited: float) -> None:
        super().__init__(f"ingest job {job.id} into index '{job.index}' is still {job.state} "
                         f"(stage {job.stage}, {job.done}/{job.total}) after {waited:.0f} s")
        self.job = job


_BY_CODE: Dict[str, Type[LeannApiError]] = {
    "bad_request": BadRequestError,
    "invalid_json": BadRequestError,
    "unknown_model": BadRequestError,
    "payload_too_large": PayloadTooLargeError,
    "too_large": PayloadTooLargeError,
    "unauthorized": AuthenticationError,
    "forbidden": AuthenticationError,
    "not_found": NotFoundError,
    "conflict": ConflictError,
    "unavailable": UnavailableError,
    "internal_error": ServerError,
    "llm_error": LlmError,
    "llm_auth_failed": LlmError,
    "llm_unavailable": LlmUnavailableError,
    "llm_not_configured": LlmNotConfiguredError,
}

_BY_STATUS: Dict[int, Type[LeannApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: AuthenticationError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    502: LlmError,
    503: UnavailableError,
}


def api_error(status: Optional[int], code: Optional[str], message: Optional[str]) -> LeannApiError:
    """The exception for an error the server sent; ``status`` is None for a streamed error event."""
    cls = _BY_CODE.get(code or "")
    if cls is None and status is not None:
        cls = _BY_STATUS.get(status, ServerError if status >= 500 else BadRequestError if status >= 400 else None)
    return (cls or LeannApiError)(status, code or "unknown", message or "the server gave no message")
