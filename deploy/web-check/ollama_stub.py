#!/usr/bin/env python3
"""A loopback stand-in for Ollama's chat API, for deploy/web-check.sh.

Speaks what `leann serve` uses of Ollama (coordinator/rag/OllamaChatModel, ChatModels):
  GET  /api/tags  {"models": [{"name", "model", "details": {"family", ...}}]}  (model detection)
  POST /api/chat  with "stream": true: application/x-ndjson, chunked, one JSON object per line,
                  {"model", "created_at", "message": {"role": "assistant", "content"}, "done": false}
                  per piece, then a last line with "done": true, "done_reason" and the counters.
The answer is ANSWER, sent one word at a time with DELAY seconds between words, so a browser can
be seen rendering it piece by piece. Each chat request body is appended to the log file (one JSON
line) so the test can check what reached the model.

  ollama_stub.py PORT_FILE LOG_FILE   binds 127.0.0.1 on a free port and writes the port to PORT_FILE
"""
import datetime
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODEL = "web-check-stub:latest"
ANSWER = ["The ", "CC0 ", "deed ", "waives ", "copyright ", "and ", "related ", "rights ", "worldwide."]
DELAY = 0.25


def now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    log_file = None

    def log_message(self, fmt, *args):  # quiet: the check prints its own lines
        pass

    def send_json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/api/tags":
            self.send_json(200, {"models": [{
                "name": MODEL, "model": MODEL, "modified_at": now(), "size": 1, "digest": "0" * 64,
                "details": {"format": "gguf", "family": "llama", "families": ["llama"],
                            "parameter_size": "1B", "quantization_level": "Q4_0"}}]})
        elif self.path in ("/", "/api/version"):
            self.send_json(200, {"version": "0.9.0"})
        else:
            self.send_json(404, {"error": "404 page not found"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self.path != "/api/chat":
            self.send_json(404, {"error": "404 page not found"})
            return
        try:
            request = json.loads(raw)
        except ValueError as e:
            self.send_json(400, {"error": f"invalid JSON: {e}"})
            return
        with open(self.log_file, "a", encoding="utf-8") as log:
            log.write(json.dumps(request) + "\n")
        if request.get("model") != MODEL:
            self.send_json(404, {"error": f"model \"{request.get('model')}\" not found, try pulling it first"})
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for word in ANSWER:
            self.chunk({"model": MODEL, "created_at": now(),
                        "message": {"role": "assistant", "content": word}, "done": False})
            time.sleep(DELAY)
        self.chunk({"model": MODEL, "created_at": now(), "message": {"role": "assistant", "content": ""},
                    "done": True, "done_reason": "stop", "total_duration": 1, "load_duration": 1,
                    "prompt_eval_count": 1, "prompt_eval_duration": 1, "eval_count": len(ANSWER),
                    "eval_duration": 1})
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def chunk(self, obj):
        line = (json.dumps(obj) + "\n").encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
        self.wfile.flush()


def main():
    port_file, log_file = sys.argv[1], sys.argv[2]
    Handler.log_file = log_file
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(port_file + ".tmp", port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
