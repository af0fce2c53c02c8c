"""HTTP with the standard library: JSON requests, server-sent event streams, and the mapping of
error bodies to exceptions. Internal; the public classes wrap it.

A :class:`Transport` holds only settings (each request opens its own connection), so one may be
shared between threads.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional

from .errors import LeannConnectionError, api_error

DEFAULT_URL = "http://127.0.0.1:8080"
#: Seconds to wait for a reply to an ordinary request; the server gives up after 20 s itself.
DEFAULT_TIMEOUT = 60.0
#: A non-streamed chat or agent run may take the server up to 5 minutes.
GENERATION_TIMEOUT = 330.0


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
        admin_token: sent as ``Authorization: Bearer`` on ``/admin`` routes only; default
            ``$LEANN_ADMIN_TOKEN``
    """

    def __init__(self, url: Optional[str] = None, timeout: float = DEFAULT_TIMEOUT,
                 admin_token: Optional[str] = None) -> None:
        base = (url or os.environ.get("LEANN_URL") or DEFAULT_URL).rstrip("/")
        parts = urllib.parse.urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"url must be an http(s) URL such as {DEFAULT_URL}, got {base!r}")
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout}")
        self.url = base
        self.timeout = timeout
        self.admin_token = admin_token if admin_token is not None else os.environ.get("LEANN_ADMIN_TOKEN")

    def json(self, method: str, path: str, body: Any = None, timeout: Optional[float] = None) -> Any:
        """Sends ``body`` as JSON and returns the parsed JSON reply; errors raise."""
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
        if self.admin_token and path.startswith("/admin/"):
            headers["Authorization"] = "Bearer " + self.admin_token
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
    return api_error(e.code, code, message)
