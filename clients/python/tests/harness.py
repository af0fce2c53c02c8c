"""Starts what the client tests talk to: a real ``leann serve`` node (all roles in one JVM) on
127.0.0.1 with free ports and a temporary index directory, and a scripted stand-in for an
OpenAI-compatible language model. The node is stopped by its PID when the tests end, on failure
too (``stop`` runs from ``tearDownModule`` and from ``atexit``)."""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, List, Optional

REPO = Path(__file__).resolve().parents[3]
UP = re.compile(r"^leann node up: .* http=(http://\S+)$")
#: Environment variables that would point the server at a real model or a real index directory.
_SCRUBBED = re.compile(r"^(LEANN_.*|OPENAI_.*|ANTHROPIC_.*|GEMINI_.*|GOOGLE_API_KEY|OLLAMA_.*|PORT)$")


class Server:
    """One ``leann serve`` process."""

    def __init__(self, llm_url: str, start_timeout: float = 180.0) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="leann-pyclient-"))
        self.log = self.dir / "server.log"
        env = {k: v for k, v in os.environ.items() if not _SCRUBBED.match(k)}
        env.update({
            "LEANN_INDEX_DIR": str(self.dir / "indexes"),
            # Chat answers extractively unless a request names a provider; "openai" reaches the fake.
            "LEANN_LLM": "extractive",
            "OPENAI_BASE_URL": llm_url,
            "OPENAI_API_KEY": FakeLlm.KEY,
            # A closed port, so a local Ollama is never found by auto-detection.
            "OLLAMA_HOST": "http://127.0.0.1:9",
        })
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [str(REPO / "bin" / "leann"), "serve", "--hostname", "127.0.0.1", "--port", "0", "--http-port", "0"],
                cwd=str(REPO), env=env, stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL)
        atexit.register(self.stop)
        self.url = self._await_up(start_timeout)

    def _await_up(self, timeout: float) -> str:
        found: List[str] = []

        def read() -> None:
            assert self.process.stdout is not None
            for raw in self.process.stdout:
                m = UP.match(raw.decode("utf-8", "replace").strip())
                if m and not found:
                    found.append(m.group(1))

        threading.Thread(target=read, daemon=True).start()
        deadline = time.monotonic() + timeout
        while not found:
            if self.process.poll() is not None:
                raise RuntimeError(f"leann serve exited with {self.process.returncode}:\n{self.tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"leann serve was not up after {timeout:.0f} s:\n{self.tail()}")
            time.sleep(0.1)
        return found[0]

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text("utf-8", "replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """SIGTERM (Pekko's coordinated shutdown), SIGKILL after 30 s; then the temp directory goes,
        its server log copied first to ``$LEANN_TEST_SERVER_LOG`` if that is set."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        keep = os.environ.get("LEANN_TEST_SERVER_LOG")
        if keep and self.log.exists():
            shutil.copyfile(self.log, keep)
        shutil.rmtree(self.dir, ignore_errors=True)


class FakeLlm:
    """A stand-in for an OpenAI-compatible server on 127.0.0.1, streaming its replies as OpenAI
    does. It answers from the prompt it receives, so what it says proves what the LEANN server sent:

    - a ReAct step (the request has ``stop: ["Observation:"]``): with no steps yet, a search for
      the question; after one, a ``Final Answer`` quoting the first ``Source:`` of the observation;
    - anything else (RAG chat, the agent's synthesis): ``Answer from the fake model, citing <first
      Source: line of the prompt>``.

    Every request body is recorded in ``requests``.
    """

    KEY = "sk-fake-client-test"

    def __init__(self) -> None:
        self.requests: List[Dict[str, Any]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
                fake.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
                if self.path != "/v1/chat/completions":
                    self.send_error(404)
                    return
                reply = fake.reply(body)
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                for piece in re.findall(r"\S+\s*|\s+", reply):
                    chunk = {"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                    self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
                self.wfile.write(b'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n')
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    @staticmethod
    def reply(body: Dict[str, Any]) -> str:
        prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
        source = _first_source(prompt)
        if "Observation:" in (body.get("stop") or []):
            if "No steps yet" in prompt:
                question = re.search(r"Question: (.*)", prompt)
                query = question.group(1).strip() if question else "licence"
                return f'Thought: I should search the documents.\nAction: leann_search("{query}")'
            return f"Thought: I can answer now.\nFinal Answer: The search points to {source}."
        return f"Answer from the fake model, citing {source}."

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _first_source(prompt: str) -> Optional[str]:
    m = re.search(r"Source: ([^\n(]+?)(?: \(lines? [\d-]+\))?\n", prompt)
    return m.group(1).strip() if m else None
