#!/usr/bin/env python3
"""Speaks the Python LEANN searcher's side of the embedding-server protocol (a REQ socket and
single-frame msgpack messages, as leann's searcher and its FAISS fork send them) to a server on
127.0.0.1, and prints what came back as one JSON object on stdout.

Usage: leann_client.py PORT QUERY_TEXT ID [ID ...]

Exit codes: 0 on success, 2 on bad usage, 3 if pyzmq or msgpack is missing, 4 on a timeout.
"""
import json
import sys

try:
    import msgpack
    import zmq
except ImportError as e:  # the Java test turns this into a message naming the Debian packages
    print(f"missing Python module: {e.name}", file=sys.stderr)
    sys.exit(3)

TIMEOUT_MS = 10_000


def call(socket, request, **pack_options):
    socket.send(msgpack.packb(request, **pack_options))
    try:
        return msgpack.unpackb(socket.recv())
    except zmq.Again:
        print(f"no reply within {TIMEOUT_MS} ms to {request!r:.80}", file=sys.stderr)
        sys.exit(4)


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    port, query_text, ids = int(argv[1]), argv[2], [int(i) for i in argv[3:]]

    context = zmq.Context()
    socket = context.socket(zmq.REQ)
    socket.setsockopt(zmq.RCVTIMEO, TIMEOUT_MS)
    socket.setsockopt(zmq.LINGER, 0)
    socket.connect(f"tcp://127.0.0.1:{port}")
    try:
        model = call(socket, ["__QUERY_MODEL__"])
        # The searcher embeds the query through the server: a plain list of strings.
        embeddings = call(socket, [query_text, "second text"])
        query = [float(x) for x in embeddings[0]]
        # The FAISS fork's distance batch: [[ids], [query f32]] packed with single floats.
        distances = call(socket, [ids, query], use_single_float=True)
        # The entry-point fetch: [[ids]] -> [[n, dim], [flat f32]].
        by_id = call(socket, [ids])
        result = {
            "model": model,
            "text_embeddings": embeddings,
            "distances": distances,
            "embeddings_by_id": {"shape": by_id[0], "data": by_id[1]},
        }
        print(json.dumps(result))
        return 0
    finally:
        socket.close(0)
        context.term()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
