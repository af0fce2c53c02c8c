"""Retries of the client's transport against a scripted server on 127.0.0.1 that answers what each
test tells it to, in the server's real error shape: which requests are repeated (reads and
searches, after a refused connection or a 503 ``unavailable``), which never are (writes, a
language model's 503), and how ``Retry-After`` and running out of retries behave."""

from __future__ import annotations

import json
import socket
import threading
import time
import unittest
from unittest import mock
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional, Tuple

from leann_client import (LeannAdmin, LeannBuilder, LeannChat, LeannConnectionError, LeannSearcher, LlmUnavailableError,
                          ReActAgent, UnavailableError)
from leann_client._transport import Transport

Reply = Tuple[int, Dict[str, Any], Dict[str, str]]

RESULTS: Reply = (200, {"results": [{"id": "7", "score": 0.9, "text": "found", "metadata": {}}],
                        "partial": False, "missing_shards": [], "timing_ms": {}}, {})


def unavailable(code: str = "unavailable", retry_after: Optional[str] = None) -> Reply:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return 503, {"error": {"code": code, "message": "no shard of index 'docs' answered"}}, headers


class ScriptedServer:
    """Answers the n-th request with ``script[n]`` (the last entry once the script runs out) and
    records each request's method and path."""

    def __init__(self, script: List[Reply]) -> None:
        self.requests: List[Tuple[str, str]] = []
        self.authorization: List[Optional[str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                server.requests.append((self.command, self.path))
                server.authorization.append(self.headers.get("Authorization"))
                status, body, headers = script[min(len(server.requests), len(script)) - 1]
                payload = json.dumps(body).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _answer  # noqa: N815 (http.server's naming)

            def log_message(self, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


class RetryTest(unittest.TestCase):
    def serve(self, *script: Reply) -> ScriptedServer:
        server = ScriptedServer(list(script))
        self.addCleanup(server.stop)
        return server

    def test_a_search_is_repeated_while_no_shard_answers(self) -> None:
        server = self.serve(unavailable(), unavailable(retry_after="0"), RESULTS)
        hits = LeannSearcher("docs", server.url, retries=2).search("anything", top_k=1)
        self.assertEqual(["7"], [h.id for h in hits])
        self.assertEqual([("POST", "/indexes/docs/search")] * 3, server.requests)

    def test_when_retries_run_out_the_last_error_is_raised(self) -> None:
        server = self.serve(unavailable())
        with self.assertRaises(UnavailableError):
            LeannSearcher("docs", server.url, retries=1).search("anything")
        self.assertEqual(2, len(server.requests))
        with self.assertRaises(UnavailableError):
            LeannSearcher("docs", server.url, retries=0).search("anything")
        self.assertEqual(3, len(server.requests))

    def test_reads_are_repeated_writes_never(self) -> None:
        server = self.serve(unavailable(), (200, {"status": "ok", "detail": "1 node"}, {}))
        self.assertEqual("ok", LeannAdmin(server.url).health().status)
        self.assertEqual(2, len(server.requests))

        writes = self.serve(unavailable())
        with self.assertRaises(UnavailableError):
            LeannAdmin(writes.url).add_documents("docs", [{"text": "a"}])
        self.assertEqual([("POST", "/indexes/docs/documents")], writes.requests)

    def test_a_language_models_503_is_not_repeated(self) -> None:
        server = self.serve(unavailable("llm_unavailable"))
        with self.assertRaises(LlmUnavailableError):
            Transport(server.url).json("GET", "/health")
        self.assertEqual(1, len(server.requests))

    def test_retry_after_sets_the_pause(self) -> None:
        server = self.serve(unavailable(retry_after="1"), RESULTS)
        started = time.monotonic()
        LeannSearcher("docs", server.url).search("anything")
        self.assertGreaterEqual(time.monotonic() - started, 1.0, "the server asked for a second")
        self.assertEqual(2, len(server.requests))

    def test_a_refused_connection_is_repeated_then_reported(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        transport = Transport(f"http://127.0.0.1:{port}", retries=2, backoff=0.1)
        started = time.monotonic()
        with self.assertRaisesRegex(LeannConnectionError, "cannot reach the LEANN server"):
            transport.json("GET", "/health")
        self.assertGreaterEqual(time.monotonic() - started, 0.1 + 0.2, "two pauses: 0.1 s, then 0.2 s")

    def test_settings_are_checked(self) -> None:
        with self.assertRaises(ValueError):
            Transport("http://127.0.0.1:1", retries=-1)


class ApiKeyTest(unittest.TestCase):
    """Every class sends its key as ``Authorization: Bearer`` on every request; the key comes from
    the constructor or the environment and never shows in a repr."""

    def serve(self, *script: Reply) -> ScriptedServer:
        server = ScriptedServer(list(script))
        self.addCleanup(server.stop)
        return server

    @mock.patch.dict("os.environ", {"LEANN_API_KEY": "", "LEANN_ADMIN_KEY": "", "LEANN_ADMIN_TOKEN": ""})
    def test_the_constructor_key_is_sent(self) -> None:
        server = self.serve(RESULTS)
        LeannSearcher("docs", server.url, api_key="read-key").search("anything")
        self.assertEqual(["Bearer read-key"], server.authorization)
        failed = self.serve(unavailable("llm_unavailable"))
        for ask in (lambda: LeannChat("docs", url=failed.url, api_key="read-key").ask("q"),
                    lambda: ReActAgent("docs", url=failed.url, api_key="read-key").run("q")):
            with self.assertRaises(LlmUnavailableError):
                ask()
        self.assertEqual(["Bearer read-key"] * 2, failed.authorization)
        created = self.serve((201, {"name": "notes", "status": "empty"}, {}))
        LeannAdmin(created.url, api_key="write-key").create_index("notes")
        self.assertEqual(["Bearer write-key"], created.authorization)
        builder = self.serve(unavailable())
        with self.assertRaises(UnavailableError):
            b = LeannBuilder(url=builder.url, api_key="write-key")
            b.add_text("a")
            b.build_index("notes")
        self.assertEqual("Bearer write-key", builder.authorization[0])

    @mock.patch.dict("os.environ", {"LEANN_API_KEY": "env-key", "LEANN_ADMIN_KEY": "", "LEANN_ADMIN_TOKEN": ""})
    def test_the_environment_key_is_the_default(self) -> None:
        server = self.serve(RESULTS)
        LeannSearcher("docs", server.url).search("anything")
        LeannSearcher("docs", server.url, api_key="explicit").search("anything")
        self.assertEqual(["Bearer env-key", "Bearer explicit"], server.authorization)
        self.assertNotIn("env-key", repr(Transport(server.url)))

    @mock.patch.dict("os.environ", {"LEANN_API_KEY": "env-key", "LEANN_ADMIN_KEY": "env-admin", "LEANN_ADMIN_TOKEN": ""})
    def test_admin_prefers_the_admin_key(self) -> None:
        server = self.serve((200, {"nodes": []}, {}))
        LeannAdmin(server.url).nodes()
        LeannAdmin(server.url, admin_token="legacy").nodes()
        self.assertEqual(["Bearer env-admin", "Bearer legacy"], server.authorization)

    @mock.patch.dict("os.environ", {"LEANN_API_KEY": "", "LEANN_ADMIN_KEY": "", "LEANN_ADMIN_TOKEN": ""})
    def test_no_key_sends_no_header(self) -> None:
        server = self.serve((200, {"status": "ok", "detail": "1 node"}, {}))
        LeannAdmin(server.url).health()
        self.assertEqual([None], server.authorization)


if __name__ == "__main__":
    unittest.main()
