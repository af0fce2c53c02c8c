"""What the API returns, as plain dataclasses. Each ``from_json`` reads the server's snake_case
fields and ignores unknown ones, so a newer server keeps working with this client."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

JsonObject = Dict[str, Any]


@dataclass(frozen=True)
class SearchResult:
    """One search hit, as the Python LEANN's ``SearchResult``.

    ``score`` is a dot product (higher is better) for cosine and mips indexes, a squared L2
    distance (lower is better) for l2 ones; results always come best first.
    """

    id: str
    score: float
    text: str
    metadata: JsonObject = field(default_factory=dict)

    @classmethod
    def from_json(cls, d: JsonObject) -> "SearchResult":
        return cls(str(d["id"]), float(d["score"]), d.get("text") or "", d.get("metadata") or {})


class SearchResults(List[SearchResult]):
    """The hits of one search, best first: a plain ``list`` of :class:`SearchResult` plus what the
    server said about the search itself.

    Attributes:
        partial: True when some shards did not answer in time; the list is then possibly short
        missing_shards: the shard numbers that did not answer
        timing_ms: milliseconds per stage (``embed``, ``search``, ``total``)
        stats: the search's cost summed over shards (``nodes_visited``, ``pq_distances``,
            ``exact_distances``, ``hub_hits``, ``cache_hits``, ``recomputed``, ``recompute_requests``,
            ``graph_us``, ``recompute_us``); empty when the server did not report it
    """

    def __init__(self, results: List[SearchResult], partial: bool = False,
                 missing_shards: Optional[List[int]] = None, timing_ms: Optional[Dict[str, float]] = None,
                 stats: Optional[Dict[str, int]] = None) -> None:
        super().__init__(results)
        self.partial = partial
        self.missing_shards = list(missing_shards or [])
        self.timing_ms = dict(timing_ms or {})
        self.stats = dict(stats or {})

    @classmethod
    def from_json(cls, d: JsonObject) -> "SearchResults":
        return cls([SearchResult.from_json(h) for h in d.get("results") or []], bool(d.get("partial")),
                   d.get("missing_shards"), d.get("timing_ms"), d.get("stats"))


@dataclass(frozen=True)
class ChatSource:
    """A passage an answer was grounded in, cited as ``Source: <source> (lines a-b)``."""

    id: str
    score: float
    source: str
    text: str
    start_line: Optional[int] = None
    end_line: Optional[int] = None
    metadata: JsonObject = field(default_factory=dict)

    @classmethod
    def from_json(cls, d: JsonObject) -> "ChatSource":
        return cls(str(d["id"]), float(d["score"]), d.get("source") or "", d.get("text") or "",
                   d.get("start_line"), d.get("end_line"), d.get("metadata") or {})

    @property
    def label(self) -> str:
        """``<source> (lines a-b)``, ``<source> (line a)``, or the bare source when lines are unknown."""
        if self.start_line is None:
            return self.source
        if self.end_line is None or self.end_line == self.start_line:
            return f"{self.source} (line {self.start_line})"
        return f"{self.source} (lines {self.start_line}-{self.end_line})"


@dataclass(frozen=True)
class ChatAnswer:
    """A RAG answer.

    Attributes:
        answer: what the model said
        sources: the passages it was given, best first
        model: who answered, ``provider/model``, or ``extractive`` when no language model was used
        timing_ms: ``retrieval``, ``first_token``, ``generation``, ``total`` in milliseconds
    """

    answer: str
    sources: List[ChatSource]
    model: str
    timing_ms: Dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_json(cls, d: JsonObject) -> "ChatAnswer":
        return cls(d.get("answer") or "", [ChatSource.from_json(s) for s in d.get("sources") or []],
                   d.get("model") or "", d.get("timing_ms") or {})


@dataclass(frozen=True)
class AgentStep:
    """One Thought / Action / Observation round of the ReAct agent."""

    iteration: int
    thought: str
    tool: str
    input: str
    observation: str

    @classmethod
    def from_json(cls, d: JsonObject) -> "AgentStep":
        return cls(int(d.get("iteration") or 0), d.get("thought") or "", d.get("tool") or "",
                   d.get("input") or "", d.get("observation") or "")


@dataclass(frozen=True)
class AgentAnswer:
    """How a ReAct run ended.

    Attributes:
        answer: the final answer
        steps: the tool calls made, in order
        sources: the passages the searches showed the model, in the order first shown
        synthesized: True when the answer was written from the observations after the agent ran
            out of iterations (or its replies could not be parsed), not given as its Final Answer
        model: who answered, ``provider/model``
    """

    answer: str
    steps: List[AgentStep]
    sources: List[ChatSource]
    synthesized: bool
    model: str

    @classmethod
    def from_json(cls, d: JsonObject) -> "AgentAnswer":
        return cls(d.get("answer") or "", [AgentStep.from_json(s) for s in d.get("steps") or []],
                   [ChatSource.from_json(s) for s in d.get("sources") or []], bool(d.get("synthesized")),
                   d.get("model") or "")


@dataclass(frozen=True)
class AgentRetry:
    """Streamed: the model's reply could not be used and it is asked once more."""

    reason: str


@dataclass(frozen=True)
class AgentSynthesis:
    """Streamed: the agent stops searching; the answer's tokens follow."""

    reason: str


@dataclass(frozen=True)
class AgentToken:
    """Streamed: a piece of a synthesised answer."""

    text: str


@dataclass(frozen=True)
class IndexInfo:
    """What the server knows about an index; ``status`` is ready, building, empty or failed."""

    name: str
    passages: int
    shards: int
    model: str
    dimensions: int
    metric: str
    compact: bool
    recompute: bool
    status: str

    @classmethod
    def from_json(cls, d: JsonObject) -> "IndexInfo":
        return cls(d["name"], int(d.get("passages") or 0), int(d.get("shards") or 0), d.get("model") or "",
                   int(d.get("dimensions") or 0), d.get("metric") or "", bool(d.get("compact")),
                   bool(d.get("recompute")), d.get("status") or "")


@dataclass(frozen=True)
class JobStatus:
    """Progress of an ingest job; ``state`` is queued, running, done or failed."""

    id: str
    index: str
    state: str
    stage: str
    done: int
    total: int
    error: Optional[str] = None

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")

    @classmethod
    def from_json(cls, d: JsonObject) -> "JobStatus":
        return cls(d["id"], d.get("index") or "", d.get("state") or "", d.get("stage") or "",
                   int(d.get("done") or 0), int(d.get("total") or 0), d.get("error"))


@dataclass(frozen=True)
class NodeInfo:
    """A cluster member: ``pekko://leann@host:port``, its roles and its membership status."""

    address: str
    roles: List[str]
    status: str

    @classmethod
    def from_json(cls, d: JsonObject) -> "NodeInfo":
        return cls(d["address"], list(d.get("roles") or []), d.get("status") or "")


@dataclass(frozen=True)
class ShardPlacement:
    """Where one index shard should run (``desired_node``) and where it runs (``actual_node``)."""

    index: str
    shard: int
    desired_node: Optional[str]
    actual_node: Optional[str]

    @classmethod
    def from_json(cls, d: JsonObject) -> "ShardPlacement":
        return cls(d["index"], int(d["shard"]), d.get("desired_node"), d.get("actual_node"))


@dataclass(frozen=True)
class Health:
    """``GET /health``: ``status`` is ``ok``; ``detail`` describes the node or cluster."""

    status: str
    detail: str

    @classmethod
    def from_json(cls, d: JsonObject) -> "Health":
        return cls(d.get("status") or "", d.get("detail") or "")
