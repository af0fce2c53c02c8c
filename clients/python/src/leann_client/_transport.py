"""HTTP with the standard library: JSON requests, server-sent event streams, and the mapping of
error bodies to exceptions. Internal; the public classes wrap it.

A :class:`Transport` holds only settings (each request opens its own connection), so one may be
shared between threads.

Retries: a request that is safe to repeat (GET, and searches, which change nothing) is sent again,
``retries`` times at most with doubling pauses, when the connection is refused or reset or the
server answers 503 ``unavailable`` (no shard or worker answered: a node restarting, a shard
moving). A ``Retry-After`` header sets the pause, up to 10 s. Writes, chats and agent runs are
never repeated, and neither is a request that timed out: the server may still be working on it.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional

from .errors import LeannConnectionError, UnavailableError, api_error

DEFAULT_URL = "http://127.0.0.1:8080"
#: Seconds to wait for a reply to an ordinary request; the server gives up after 20 s itself.
DEFAULT_TIMEOUT = 60.0
#: A non-streamed chat or agent run may take the server up to 5 minutes.
GENERATION_TIMEOUT = 330.0
#: Repeats of a request that is safe to repeat, and the first pause in seconds (then doubled).
DEFAULT_RETRIES = 2
DEFAULT_BACKOFF = 0.25
#: The longest pause a ``Retry-After`` header may ask for.
MAX_RETRY_AFTER = 10.0


def quote(segment: str) -> str:
    """One path segment, with ``/`` and everything else unsafe escaped."""
    if not isinstance(segment, str) or not segment:
        raise ValueError(f"a name must be a non-empty string, got {segment!r}")
    return urllib.parse.quote(segment, safe="")


@dataclass(frozen=True)
class Event:
    """One server-sent event: its type and its data parsed as JSON."""

    type: str
    data: Any


class EventStream:
    """The events of one ``text/event-stream`` response, read as they arrive. Heartbeats (events
    with no data) are skipped, as the SSE spec says. Close it (or use ``with``) to hang up early;
    the server then stops the generation."""

    def __init__(self, response: Any, url: str) -> None:
        self._response = response
        self._url = url

    def __iter__(self) -> Iterator[Event]:
        kind = ""
        data: List[str] = []
        try:
            while True:
                raw = self._response.readline()
                if not raw:
                    return
                line = raw.decode("utf-8").rstrip("\r\n")
                if not line:
                    if data:
                        yield Event(kind or "message", _parse_json("\n".join(data), self._url))
                    kind, data = "", []
                    continue
                if line.startswith(":"):
                    continue
                name, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if name == "event":
                    kind = value
                elif name == "data":
                    data.append(value)
        except (OSError, http.client.HTTPException) as e:
            raise LeannConnectionError(f"the event stream from {self._url} broke: {e}") from e
        finally:
            self.close()

    def close(self) -> None:
        self._response.close()

    def __enter__(self) -> "EventStream":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _parse_json(text: str, url: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as e:
        raise LeannConnectionError(f"{url} sent something that is not JSON: {text[:200]!r}") from e


class Transport:
    """Requests to one server.

    Args:
        url: the server's base URL; default ``$LEANN_URL``, else http://127.0.0.1:8080
        timeout: seconds to wait for each reply (streams: between two events or heartbeats)
        api_key: the server's API key, sent as ``Authorization: Bearer`` on every request; default
            ``$LEANN_API_KEY``. A read key suffices for searches, chats and agent runs, a write key
            for indexes and ingest, the admin key for ``/admin``.
        retries: repeats of a request that is safe to repeat (see the module's documentation)
        backoff: seconds before the first repeat, doubled for each further one
    """

    def __init__(self, url: Optional[str] = None, timeout: float = DEFAULT_TIMEOUT,
                 api_key: Optional[str] = None, retries: int = DEFAULT_RETRIES,
                 backoff: float = DEFAULT_BACKOFF) -> None:
        base = (url or os.environ.get("LEANN_URL") or DEFAULT_URL).rstrip("/")
        parts = urllib.parse.urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"url must be an http(s) URL such as {DEFAULT_URL}, got {base!r}")
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout}")
        if retries < 0 or backoff < 0:
            raise ValueError(f"retries and backoff must not be negative, got {retries} and {backoff}")
        self.url = base
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._api_key = api_key if api_key is not None else os.environ.get("LEANN_API_KEY")

    def __repr__(self) -> str:
        # Never the key: objects end up in logs and tracebacks.
        return f"Transport({self.url!r}, api_key={'set' if self._api_key else 'none'})"

    def json(self, method: str, path: str, body: Any = None, timeout: Optional[float] = None,
             repeatable: Optional[bool] = None) -> Any:
        """Sends ``body`` as JSON and returns the parsed JSON reply; errors raise.

        ``repeatable`` says whether the request may be sent again after a refused connection or a
        503 ``unavailable``; None means only for GET.
        """
        if repeatable is None:
            repeatable = method == "GET"
        attempt = 0
        while True:
            try:
                return self._json_once(method, path, body, timeout)
            except (LeannConnectionError, UnavailableError) as e:
                pause = self._pause(e, attempt) if repeatable and attempt < self.retries else None
                if pause is None:
                    raise
            time.sleep(pause)
            attempt += 1

    def _pause(self, error: Exception, attempt: int) -> Optional[float]:
        """Seconds to wait before repeating after ``error``, or None if it is not worth repeating."""
        if isinstance(error, UnavailableError):
            if error.code != "unavailable":
                return None  # a language model's 503: repeating costs a generation and rarely helps
            if error.retry_after is not None:
                return min(error.retry_after, MAX_RETRY_AFTER)
            return self.backoff * 2 ** attempt
        cause = error.__cause__
        if isinstance(cause, (socket.timeout, TimeoutError)) or not isinstance(cause, (ConnectionError, urllib.error.URLError)):
            return None
        return self.backoff * 2 ** attempt

    def _json_once(self, method: str, path: str, body: Any, timeout: Optional[float]) -> Any:
        with self._open(method, path, body, timeout, "application/json") as response:
            try:
                text = response.read().decode("utf-8")
            except (OSError, http.client.HTTPException) as e:
                raise LeannConnectionError(f"{method} {self.url + path}: the reply broke off: {e}") from e
        return _parse_json(text, self.url + path) if text else None

    def events(self, path: str, body: Any, timeout: Optional[float] = None) -> EventStream:
        """POSTs ``body`` and returns the event stream of the reply. An error before the stream
        starts (bad input, unknown index) raises here, as a JSON error."""
        response = self._open("POST", path, body, timeout, "text/event-stream")
        content_type = response.headers.get("Content-Type", "")
        if not content_type.startswith("text/event-stream"):
            response.close()
            raise LeannConnectionError(f"{self.url + path} answered {content_type!r}, not an event stream")
        return EventStream(response, self.url + path)

    def _open(self, method: str, path: str, body: Any, timeout: Optional[float], accept: str) -> Any:
        url = self.url + path
        headers = {"Accept": accept, "User-Agent": "leann-client-python"}
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False, allow_nan=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if self._api_key:
            headers["Authorization"] = "Bearer " + self._api_key
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            return urllib.request.urlopen(request, timeout=timeout or self.timeout)
        except urllib.error.HTTPError as e:
            raise _error(e) from None
        except urllib.error.URLError as e:
            raise LeannConnectionError(f"cannot reach the LEANN server at {self.url}: {e.reason}") from e
        except (socket.timeout, TimeoutError) as e:
            raise LeannConnectionError(f"{method} {url} got no answer within {timeout or self.timeout} s") from e
        except OSError as e:
            raise LeannConnectionError(f"{method} {url} failed: {e}") from e


def _error(e: urllib.error.HTTPError) -> Exception:
    """The exception for an HTTP error reply, from its JSON body when it has one."""
    try:
        raw = e.read().decode("utf-8", "replace")
    except OSError:
        raw = ""
    finally:
        e.close()
    code, message = None, raw.strip() or e.reason
    try:
        detail: Dict[str, Any] = json.loads(raw)["error"]
        code, message = detail.get("code"), detail.get("message")
    except (ValueError, KeyError, TypeError, AttributeError):
        pass
    error = api_error(e.code, code, message)
    retry_after = e.headers.get("Retry-After") if e.headers is not None else None
    if retry_after is not None and retry_after.strip().isdigit():
        error.retry_after = float(retry_after.strip())
    return error
