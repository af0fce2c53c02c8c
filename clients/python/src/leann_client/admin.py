"""Index, job and cluster administration: :class:`LeannAdmin`."""

from __future__ import annotations

import os
import time
from typing import Any, Dict, List, Optional

from ._transport import DEFAULT_RETRIES, DEFAULT_TIMEOUT, Transport, quote
from .errors import JobFailedError, JobTimeoutError
from .types import Health, IndexInfo, JobStatus, NodeInfo, ShardPlacement


class LeannAdmin:
    """Indexes, ingest jobs, and the cluster's nodes and shard placement.

    The ``/admin`` calls (:meth:`nodes`, :meth:`shards`, :meth:`move_shard`, :meth:`rebalance`)
    need the server's admin key, index and document changes a write key (or the admin key), when
    the server requires keys. Pass it as ``api_key`` or set ``$LEANN_ADMIN_KEY`` (or, as before,
    ``$LEANN_ADMIN_TOKEN``); without either, ``$LEANN_API_KEY`` is sent. Thread-safe.

    Args:
        url: the server, default ``$LEANN_URL`` or http://127.0.0.1:8080
        timeout: seconds to wait for each reply
        api_key: the key sent as ``Authorization: Bearer`` on every request
        admin_token: the former name of ``api_key``
        retries: repeats of a read (GET) after a refused connection or a 503 ``unavailable``
    """

    def __init__(self, url: Optional[str] = None, *, timeout: float = DEFAULT_TIMEOUT,
                 api_key: Optional[str] = None, admin_token: Optional[str] = None,
                 retries: int = DEFAULT_RETRIES, transport: Optional[Transport] = None) -> None:
        key = next((k for k in (api_key, admin_token, os.environ.get("LEANN_ADMIN_KEY"),
                                os.environ.get("LEANN_ADMIN_TOKEN")) if k), None)
        self._http = transport or Transport(url, timeout, key, retries)

    @property
    def url(self) -> str:
        return self._http.url

    def health(self) -> Health:
        """``GET /health``; raises :class:`~leann_client.errors.LeannConnectionError` when the server is down."""
        return Health.from_json(self._http.json("GET", "/health"))

    def list_indexes(self) -> List[IndexInfo]:
        """Every index the server knows, as ``leann list``."""
        return [IndexInfo.from_json(i) for i in self._http.json("GET", "/indexes")["indexes"]]

    def index(self, name: str) -> IndexInfo:
        """One index; :class:`~leann_client.errors.NotFoundError` when there is none of that name."""
        return IndexInfo.from_json(self._http.json("GET", "/indexes/" + quote(name)))

    def create_index(self, name: str, *, embedding_mode: Optional[str] = None, model: Optional[str] = None,
                     metric: Optional[str] = None, shards: Optional[int] = None, compact: Optional[bool] = None,
                     recompute: Optional[bool] = None, graph_degree: Optional[int] = None,
                     text_analyzer: Optional[str] = None) -> IndexInfo:
        """Creates an empty index, or returns the existing one when the settings given agree with
        it (:class:`~leann_client.errors.ConflictError` when they do not). Settings left None take
        the server's defaults: local all-MiniLM-L6-v2, cosine, 1 shard, compact, recompute, the
        ``standard`` text analyzer (``cjk`` and ``exact`` are the others)."""
        settings: Dict[str, Any] = {
            "embedding_mode": embedding_mode, "model": model, "metric": metric, "shards": shards,
            "compact": compact, "recompute": recompute, "graph_degree": graph_degree,
            "text_analyzer": text_analyzer,
        }
        body = {k: v for k, v in settings.items() if v is not None}
        return IndexInfo.from_json(self._http.json("PUT", "/indexes/" + quote(name), body))

    def delete_index(self, name: str) -> None:
        """Deletes an index and its files, as ``leann remove``."""
        self._http.json("DELETE", "/indexes/" + quote(name))

    def add_documents(self, name: str, documents: List[Dict[str, Any]]) -> JobStatus:
        """Starts an ingest job for ``[{"text": ..., "metadata": {...}}, ...]`` and returns at once;
        see :meth:`wait_for_job`. :class:`~leann_client.LeannBuilder` batches and waits for you."""
        return JobStatus.from_json(self._http.json("POST", "/indexes/" + quote(name) + "/documents", documents))

    def delete_documents(self, name: str, metadata_filters: Dict[str, Any]) -> JobStatus:
        """Starts a job that deletes the documents whose own metadata passes ``metadata_filters``
        (LEANN's filter shape, e.g. ``{"doc_id": {"in": ["a", "b"]}}``), all of their passages;
        returns at once, see :meth:`wait_for_job`. A filter that matches every document fails the
        job (delete the index instead); one that matches none changes nothing."""
        if not metadata_filters:
            raise ValueError("metadata_filters must select the documents to delete")
        return JobStatus.from_json(self._http.json(
            "POST", "/indexes/" + quote(name) + "/documents/delete", {"metadata_filters": metadata_filters}))

    def job(self, job_id: str) -> JobStatus:
        return JobStatus.from_json(self._http.json("GET", "/jobs/" + quote(job_id)))

    def wait_for_job(self, job_id: str, timeout: float = 600.0, poll_interval: float = 0.25) -> JobStatus:
        """Polls a job until it is done. Raises :class:`~leann_client.errors.JobFailedError` when it
        fails and :class:`~leann_client.errors.JobTimeoutError` when it runs past ``timeout`` seconds
        (the job goes on in the server)."""
        start = time.monotonic()
        delay = min(poll_interval, 0.05)
        while True:
            status = self.job(job_id)
            if status.state == "done":
                return status
            if status.state == "failed":
                raise JobFailedError(status)
            waited = time.monotonic() - start
            if waited >= timeout:
                raise JobTimeoutError(status, waited)
            time.sleep(min(delay, max(timeout - waited, 0.0)))
            delay = min(delay * 2, poll_interval)

    def nodes(self) -> List[NodeInfo]:
        """The cluster's members, their roles and status."""
        return [NodeInfo.from_json(n) for n in self._http.json("GET", "/admin/nodes")["nodes"]]

    def shards(self) -> List[ShardPlacement]:
        """Where every index shard should run and where it runs."""
        return [ShardPlacement.from_json(s) for s in self._http.json("GET", "/admin/shards")["shards"]]

    def move_shard(self, index: str, shard: int, node: str) -> ShardPlacement:
        """Asks for shard ``shard`` of ``index`` to run on ``node`` (``pekko://leann@host:port``)."""
        if isinstance(shard, bool) or not isinstance(shard, int):
            raise TypeError(f"shard must be an int, got {shard!r}")
        path = "/admin/indexes/" + quote(index) + "/shards/" + str(shard)
        return ShardPlacement.from_json(self._http.json("PUT", path, {"node": node}))

    def rebalance(self, index: str) -> List[ShardPlacement]:
        """Spreads the shards of ``index`` over the shard nodes again."""
        reply = self._http.json("POST", "/admin/indexes/" + quote(index) + "/rebalance")
        return [ShardPlacement.from_json(s) for s in reply["shards"]]
