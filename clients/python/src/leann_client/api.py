"""The Python LEANN's API (``LeannBuilder``, ``LeannSearcher``, ``LeannChat``, ``ReActAgent``)
over the REST API of a LEANN server.

Where the Python LEANN takes an index *path*, these take an index *name* on the server. The
two-level search knobs ``prune_ratio`` and ``batch_size`` are passed to the server (with our
``recompute_budget``). Options of the Python LEANN that the server decides for itself are accepted
at the Python LEANN's default value, so ported code runs unchanged, and refused with a
``ValueError`` otherwise rather than silently ignored (``beam_width``, ``pruning_strategy``); the
transport knob ``expected_zmq_port`` is accepted with any value, since the server runs its own
embedding workers.
"""

from __future__ import annotations

import json
import sys
from abc import abstractmethod
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, TypeVar, Union

from ._transport import DEFAULT_RETRIES, DEFAULT_TIMEOUT, GENERATION_TIMEOUT, Event, EventStream, Transport, quote
from .admin import LeannAdmin
from .errors import LeannConnectionError, api_error
from .types import (AgentAnswer, AgentRetry, AgentStep, AgentSynthesis, AgentToken, ChatAnswer, ChatSource,
                    IndexInfo, SearchResults)

#: ``"openai"``, ``"ollama:qwen3:8b"``, or the Python LEANN's ``{"type": "openai", "model": "gpt-4o"}``
#: (``"provider"`` may stand for ``"type"``; ``"thinking_budget"`` is low, medium or high).
LlmConfig = Union[str, Mapping[str, Any], None]
#: Earlier turns, oldest first: ``{"role": "user"|"assistant", "content": "..."}`` or ``(role, content)``.
History = Optional[Sequence[Union[Mapping[str, str], Tuple[str, str]]]]

_RESULT_CHANGING = {"beam_width": 1, "pruning_strategy": "global"}
_TRANSPORT_ONLY = ("expected_zmq_port",)
#: Keys of a Python LEANN llm_config that the server will not take from a client: hosts and keys
#: are its own configuration, so a client cannot point it elsewhere or have its key sent elsewhere.
_SERVER_OWNED = ("host", "base_url", "api_base", "api_key")


def _leann_options(method: str, options: Mapping[str, Any]) -> None:
    for name, value in options.items():
        if name in _TRANSPORT_ONLY:
            continue
        if name not in _RESULT_CHANGING:
            raise TypeError(f"{method}() got an unexpected keyword argument {name!r}")
        if value != _RESULT_CHANGING[name]:
            raise ValueError(f"{method}(): {name}={value!r} is not offered by the LEANN server; leave it at "
                             f"{_RESULT_CHANGING[name]!r} (the server's search has no such knob)")


def _llm(llm_config: LlmConfig, thinking_budget: Optional[str] = None) -> Any:
    """The request's ``llm`` field: a string as it is, a mapping translated; None for the server's default."""
    if llm_config is None:
        return {"thinking_budget": thinking_budget} if thinking_budget else None
    if isinstance(llm_config, str):
        if not thinking_budget:
            return llm_config
        provider, _, model = llm_config.partition(":")
        return {"provider": provider, "model": model or None, "thinking_budget": thinking_budget}
    if not isinstance(llm_config, Mapping):
        raise TypeError(f"llm_config must be a str or a mapping, got {type(llm_config).__name__}")
    for key in _SERVER_OWNED:
        if llm_config.get(key):
            raise ValueError(f"llm_config[{key!r}] cannot be sent: hosts and API keys are the server's "
                             "configuration (OLLAMA_HOST, OPENAI_API_KEY, OPENAI_BASE_URL, ... where it runs)")
    unknown = set(llm_config) - {"type", "provider", "model", "thinking_budget", *_SERVER_OWNED}
    if unknown:
        raise ValueError(f"llm_config has keys the server does not take: {sorted(unknown)}")
    out = {"provider": llm_config.get("provider") or llm_config.get("type"), "model": llm_config.get("model"),
           "thinking_budget": thinking_budget or llm_config.get("thinking_budget")}
    return {k: v for k, v in out.items() if v is not None}


def _history(history: History) -> Optional[List[Dict[str, str]]]:
    if history is None:
        return None
    turns = []
    for i, turn in enumerate(history):
        if isinstance(turn, Mapping):
            turns.append({"role": turn.get("role"), "content": turn.get("content")})
        elif isinstance(turn, (tuple, list)) and len(turn) == 2:
            turns.append({"role": turn[0], "content": turn[1]})
        else:
            raise TypeError(f"history[{i}] must be {{'role', 'content'}} or (role, content), got {turn!r}")
    return turns


def _body(**fields: Any) -> Dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


class LeannSearcher:
    """Searches one index of a LEANN server, as the Python LEANN's ``LeannSearcher``.

    Holds no connection (each search is one request), so it needs no cleanup and is thread-safe;
    ``with`` and :meth:`cleanup` exist for code written against the Python LEANN.

    Args:
        index: the index name on the server
        url: the server, default ``$LEANN_URL`` or http://127.0.0.1:8080
        enable_warmup: run one search now, so the server loads the index's shards and embedding
            model before the first real query
        timeout: seconds to wait for each reply
        retries: repeats of a search after a refused connection or a 503 ``unavailable`` (a node
            restarting, a shard moving), with doubling pauses from 0.25 s
        api_key: the server's API key (a read key suffices), sent as ``Authorization: Bearer``;
            default ``$LEANN_API_KEY``
    """

    def __init__(self, index: str, url: Optional[str] = None, *, enable_warmup: bool = False,
                 timeout: float = DEFAULT_TIMEOUT, retries: int = DEFAULT_RETRIES,
                 api_key: Optional[str] = None, transport: Optional[Transport] = None) -> None:
        quote(index)
        self.index = index
        self._http = transport or Transport(url, timeout, api_key, retries=retries)
        if enable_warmup:
            self.search("warm-up", top_k=1)

    @property
    def url(self) -> str:
        return self._http.url

    def search(self, query: str, top_k: int = 5, complexity: Optional[int] = None, *,
               recompute_embeddings: Optional[bool] = None, metadata_filters: Optional[Mapping[str, Any]] = None,
               vector_weight: Optional[float] = None, recompute_budget: Optional[int] = None,
               prune_ratio: Optional[float] = None, batch_size: Optional[int] = None,
               fusion: Optional[str] = None, **leann_options: Any) -> SearchResults:
        """The ``top_k`` passages nearest to ``query``, best first.

        Args:
            complexity: search beam (ef); None uses the index's recorded build complexity, else 64
            recompute_embeddings: recompute the embeddings of visited nodes (LEANN's storage-saving
                mode); None lets the index decide (on for pruned indexes, off when vectors are stored)
            metadata_filters: LEANN's filter shape, ``{"field": {"op": value}}`` with ``==``, ``!=``,
                ``<``, ``<=``, ``>``, ``>=``, ``in``, ``not_in``, ``contains``, ``starts_with``,
                ``ends_with``, ``is_true``, ``is_false``; applied during the graph walk
            vector_weight: hybrid search: weight in [0, 1] of the dense score fused with BM25;
                None for dense-only search
            fusion: hybrid search's fusion: "weighted" (LEANN's, by ``vector_weight``; the default)
                or "rrf" (reciprocal rank fusion, no weight); given alone it makes the search hybrid
            recompute_budget: two-level search (pruned indexes with PQ codes): most embeddings
                recomputed per query and shard, 0 for no limit; None for the server's default (100)
            prune_ratio: two-level search: share in [0, 1) of the PQ-ranked candidates never recomputed
            batch_size: two-level search: nodes per recompute request, 0 for one request per query
        Returns:
            the hits; ``.stats`` holds the search's cost (nodes visited, PQ distances, embeddings
            recomputed, cache and hub hits, time in the graph and in recompute)
        Raises:
            NotFoundError: no such index; BadRequestError: a bad argument, named
        """
        _leann_options("search", leann_options)
        body = _body(query=query, top_k=top_k, complexity=complexity, recompute=recompute_embeddings,
                     metadata_filters=metadata_filters, vector_weight=vector_weight, fusion=fusion,
                     recompute_budget=recompute_budget, prune_ratio=prune_ratio, batch_size=batch_size)
        reply = self._http.json("POST", "/indexes/" + quote(self.index) + "/search", body, repeatable=True)
        return SearchResults.from_json(reply)

    def cleanup(self) -> None:
        """Nothing to release: there is no local embedding server, the LEANN server runs its own."""

    def __enter__(self) -> "LeannSearcher":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.cleanup()


T = TypeVar("T")


class _Events(Iterator[T]):
    """Iterates the items of an event stream until its ``done`` event; an ``error`` event raises
    the mapped exception. Subclasses turn events into items (or None to skip) and keep the result."""

    def __init__(self, events: EventStream) -> None:
        self._stream = events
        self._events = iter(events)
        self._finished = False

    def __iter__(self) -> "_Events[T]":
        return self

    def __next__(self) -> T:
        while not self._finished:
            try:
                event = next(self._events)
            except StopIteration:
                self._finished = True
                raise LeannConnectionError("the event stream ended before its 'done' event") from None
            if event.type == "error":
                self._finished = True
                self.close()
                detail = event.data.get("error", {}) if isinstance(event.data, dict) else {}
                raise api_error(None, detail.get("code"), detail.get("message"))
            if event.type == "done":
                self._finished = True
                self._done(event.data)
                self.close()
                break
            item = self._item(event)
            if item is not None:
                return item
        raise StopIteration

    @abstractmethod
    def _item(self, event: Event) -> Optional[T]:
        """The item an event stands for, or None for one that only updates state."""

    @abstractmethod
    def _done(self, data: Any) -> None:
        """Keeps the result the ``done`` event carries."""

    def close(self) -> None:
        """Hangs up; the server stops the generation."""
        self._finished = True
        self._stream.close()

    def __enter__(self) -> "_Events[T]":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class ChatStream(_Events[str]):
    """A streamed answer: iterate it for the answer's text as it is generated.

    Attributes:
        sources: the passages retrieved for the question, once the first token is read (None before)
        result: the whole :class:`ChatAnswer` once the iteration has ended (None before)
    """

    def __init__(self, events: EventStream) -> None:
        super().__init__(events)
        self.sources: Optional[List[ChatSource]] = None
        self.result: Optional[ChatAnswer] = None

    def _item(self, event: Event) -> Optional[str]:
        if event.type == "sources":
            self.sources = [ChatSource.from_json(s) for s in event.data.get("sources") or []]
        elif event.type == "token":
            return str(event.data.get("text", ""))
        return None

    def _done(self, data: Any) -> None:
        self.result = ChatAnswer.from_json(data)
        self.sources = self.result.sources


class LeannChat:
    """Answers questions from one index with a language model (RAG), as the Python LEANN's
    ``LeannChat``. The model runs where the server's configuration says: ``llm_config`` picks a
    provider and model the server has set up, never a host or key. With none configured the
    server answers with its ``extractive`` provider, which quotes the best passages.

    Thread-safe; each question is one request.

    Args:
        index: the index name on the server
        llm_config: see :data:`LlmConfig`; None for the server's default
        url: the server; default that of ``searcher``, else ``$LEANN_URL`` or http://127.0.0.1:8080
        enable_warmup: run one search now, so the first question does not wait for shards to load
        searcher: a :class:`LeannSearcher` of the same index whose server this chat uses
        timeout: seconds to wait for a non-streamed answer (the server allows 5 minutes), or
            between two events of a stream
        api_key: the server's API key (a read key suffices), sent as ``Authorization: Bearer``;
            default ``$LEANN_API_KEY``
    """

    def __init__(self, index: str, llm_config: LlmConfig = None, url: Optional[str] = None, *,
                 enable_warmup: bool = False, searcher: Optional[LeannSearcher] = None,
                 timeout: float = GENERATION_TIMEOUT, api_key: Optional[str] = None) -> None:
        if searcher is not None and searcher.index != index:
            raise ValueError(f"the searcher is for index {searcher.index!r}, not {index!r}")
        self.index = index
        self.llm_config = llm_config
        _llm(llm_config)
        self._http = Transport(url or (searcher.url if searcher else None), timeout, api_key)
        if enable_warmup:
            (searcher or LeannSearcher(index, transport=self._http)).search("warm-up", top_k=1)

    def _request(self, question: str, top_k: Optional[int], complexity: Optional[int],
                 recompute_embeddings: Optional[bool], history: History, thinking_budget: Optional[str],
                 metadata_filters: Optional[Mapping[str, Any]], options: Mapping[str, Any], stream: bool,
                 method: str) -> Dict[str, Any]:
        _leann_options(method, {k: v for k, v in options.items() if k != "llm_kwargs"})
        if options.get("llm_kwargs"):
            raise ValueError(f"{method}(): llm_kwargs are not sent; the server sets the model's parameters")
        if metadata_filters:
            raise ValueError(f"{method}(): metadata_filters are not supported by the chat API; "
                             "search with LeannSearcher to filter")
        return _body(question=question, top_k=top_k, complexity=complexity, recompute=recompute_embeddings,
                     history=_history(history), llm=_llm(self.llm_config, thinking_budget), stream=stream or None)

    def ask(self, question: str, top_k: Optional[int] = None, complexity: Optional[int] = None, *,
            recompute_embeddings: Optional[bool] = None, history: History = None,
            thinking_budget: Optional[str] = None, metadata_filters: Optional[Mapping[str, Any]] = None,
            **options: Any) -> str:
        """The answer to ``question`` as text; :meth:`answer` also gives the sources.

        Args:
            top_k: passages retrieved as context; None for the server's 20 (LEANN's ``ask``)
            complexity: search beam; None for the server's 32
            recompute_embeddings: None lets the index decide
            history: earlier turns of the conversation, oldest first
            thinking_budget: low, medium or high for reasoning models
        """
        return self.answer(question, top_k, complexity, recompute_embeddings=recompute_embeddings, history=history,
                           thinking_budget=thinking_budget, metadata_filters=metadata_filters, **options).answer

    def answer(self, question: str, top_k: Optional[int] = None, complexity: Optional[int] = None, *,
               recompute_embeddings: Optional[bool] = None, history: History = None,
               thinking_budget: Optional[str] = None, metadata_filters: Optional[Mapping[str, Any]] = None,
               **options: Any) -> ChatAnswer:
        """Like :meth:`ask`, with the sources, the model's name and the timings."""
        body = self._request(question, top_k, complexity, recompute_embeddings, history, thinking_budget,
                             metadata_filters, options, False, "answer")
        return ChatAnswer.from_json(self._http.json("POST", "/indexes/" + quote(self.index) + "/chat", body))

    def stream(self, question: str, top_k: Optional[int] = None, complexity: Optional[int] = None, *,
               recompute_embeddings: Optional[bool] = None, history: History = None,
               thinking_budget: Optional[str] = None, metadata_filters: Optional[Mapping[str, Any]] = None,
               **options: Any) -> ChatStream:
        """The answer as it is generated::

            with chat.stream("What is LEANN?") as tokens:
                for text in tokens:
                    print(text, end="", flush=True)
            print(tokens.result.sources)

        Bad input and an unknown index raise here; a failure of the model while it streams raises
        from the iteration.
        """
        body = self._request(question, top_k, complexity, recompute_embeddings, history, thinking_budget,
                             metadata_filters, options, True, "stream")
        return ChatStream(self._http.events("/indexes/" + quote(self.index) + "/chat", body))

    def start_interactive(self) -> None:
        """A terminal conversation: questions from stdin, answers streamed to stdout, earlier turns
        sent with each question. An empty line, ``quit`` or end of input stops."""
        turns: List[Tuple[str, str]] = []
        while True:
            try:
                question = input("\nYou: ").strip()
            except EOFError:
                return
            if not question or question.lower() in ("quit", "exit"):
                return
            sys.stdout.write("LEANN: ")
            with self.stream(question, history=turns) as tokens:
                for text in tokens:
                    sys.stdout.write(text)
                    sys.stdout.flush()
            answer = tokens.result
            if answer is not None:
                sys.stdout.write("\n" + "".join(f"\n  [{i}] {s.label}" for i, s in enumerate(answer.sources, 1)) + "\n")
                turns += [("user", question), ("assistant", answer.answer)]


AgentEvent = Union[AgentStep, AgentRetry, AgentSynthesis, AgentToken]


class AgentStream(_Events[AgentEvent]):
    """A streamed agent run: iterate it for :class:`AgentStep` (after each search),
    :class:`AgentRetry`, :class:`AgentSynthesis` and :class:`AgentToken` as they happen.

    Attributes:
        result: the :class:`AgentAnswer` once the iteration has ended (None before)
    """

    def __init__(self, events: EventStream) -> None:
        super().__init__(events)
        self.result: Optional[AgentAnswer] = None

    def _item(self, event: Event) -> Optional[AgentEvent]:
        data = event.data if isinstance(event.data, dict) else {}
        if event.type == "step":
            return AgentStep.from_json(data)
        if event.type == "retry":
            return AgentRetry(str(data.get("reason", "")))
        if event.type == "synthesis":
            return AgentSynthesis(str(data.get("reason", "")))
        if event.type == "token":
            return AgentToken(str(data.get("text", "")))
        return None

    def _done(self, data: Any) -> None:
        self.result = AgentAnswer.from_json(data)


class ReActAgent:
    """A ReAct agent (reason, act: search the index, observe, repeat) answering from one index,
    as the Python LEANN's ``ReActAgent``, run by the server (``POST /indexes/{name}/react``).

    It runs on the server rather than here because every step is a raw model call with stop
    sequences, which the API does not expose, and because the models and their keys are the
    server's: the client would otherwise need its own LLM access. It needs a real language
    model; a server with only the extractive provider answers :class:`LlmNotConfiguredError`.

    Args:
        index: the index name on the server
        llm_config: see :data:`LlmConfig`; None for the server's default
        url: the server, default ``$LEANN_URL`` or http://127.0.0.1:8080
        max_iterations: tool calls before the agent must answer (1 to 20)
        top_k: results per search
        complexity: search beam; None for the server's 32
        recompute_embeddings: None lets the index decide
        timeout: seconds to wait for a non-streamed run, or between two events of a stream
        api_key: the server's API key (a read key suffices), sent as ``Authorization: Bearer``;
            default ``$LEANN_API_KEY``
    """

    def __init__(self, index: str, llm_config: LlmConfig = None, url: Optional[str] = None, *,
                 max_iterations: int = 5, top_k: int = 5, complexity: Optional[int] = None,
                 recompute_embeddings: Optional[bool] = None, timeout: float = GENERATION_TIMEOUT,
                 api_key: Optional[str] = None) -> None:
        quote(index)
        _llm(llm_config)
        self.index = index
        self.llm_config = llm_config
        self.max_iterations = max_iterations
        self.top_k = top_k
        self.complexity = complexity
        self.recompute_embeddings = recompute_embeddings
        self._http = Transport(url, timeout, api_key)

    def _body(self, question: str, top_k: Optional[int], thinking_budget: Optional[str], stream: bool) -> Dict[str, Any]:
        return _body(question=question, llm=_llm(self.llm_config, thinking_budget), top_k=self.top_k if top_k is None else top_k,
                     complexity=self.complexity, recompute=self.recompute_embeddings,
                     max_iterations=self.max_iterations, stream=stream or None)

    def run(self, question: str, top_k: Optional[int] = None, *, thinking_budget: Optional[str] = None) -> str:
        """The final answer; :meth:`answer` also gives the steps and sources."""
        return self.answer(question, top_k, thinking_budget=thinking_budget).answer

    def answer(self, question: str, top_k: Optional[int] = None, *,
               thinking_budget: Optional[str] = None) -> AgentAnswer:
        body = self._body(question, top_k, thinking_budget, False)
        return AgentAnswer.from_json(self._http.json("POST", "/indexes/" + quote(self.index) + "/react", body))

    def stream(self, question: str, top_k: Optional[int] = None, *,
               thinking_budget: Optional[str] = None) -> AgentStream:
        """The run as it happens; see :class:`AgentStream`."""
        body = self._body(question, top_k, thinking_budget, True)
        return AgentStream(self._http.events("/indexes/" + quote(self.index) + "/react", body))


def create_react_agent(index_path: str, llm_config: LlmConfig = None, max_iterations: int = 5,
                       url: Optional[str] = None, **kwargs: Any) -> ReActAgent:
    """The Python LEANN's factory; ``index_path`` is the index name on the server."""
    return ReActAgent(index_path, llm_config, url, max_iterations=max_iterations, **kwargs)


def document(text: str, metadata: Optional[Mapping[str, Any]], number: int) -> Dict[str, Any]:
    """The document ``add_text`` records (``{"text", "metadata"}``), checked: a non-blank str and
    JSON metadata; ``number`` names the text in errors. Shared with the drop-in ``leann`` package."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"text #{number} must be a non-blank str, got {text!r:.60}")
    doc: Dict[str, Any] = {"text": text}
    if metadata is not None:
        if not isinstance(metadata, Mapping):
            raise TypeError(f"metadata of text #{number} must be a mapping, got {type(metadata).__name__}")
        try:
            json.dumps(metadata, allow_nan=False)
        except (TypeError, ValueError) as e:
            raise ValueError(f"metadata of text #{number} is not JSON: {e}") from e
        doc["metadata"] = dict(metadata)
    return doc


class LeannBuilder:
    """Collects texts and builds (or extends) an index on the server, as the Python LEANN's
    ``LeannBuilder``: the server chunks, embeds and indexes them in an ingest job, and
    :meth:`build_index` waits for it.

    Not thread-safe: it holds the texts added so far.

    Args:
        backend_name: only ``hnsw``, the server's one backend
        embedding_model: e.g. ``sentence-transformers/all-MiniLM-L6-v2`` (the server's default)
        dimensions: checked against the index's embedding size, when given
        embedding_mode: ``sentence-transformers`` (local ONNX), ``openai``, ``ollama``, ``gemini``
        url: the server, default ``$LEANN_URL`` or http://127.0.0.1:8080
        graph_degree, is_compact, is_recompute, distance_metric (``cosine``, ``mips``, ``l2``),
        num_shards: index settings; None takes the server's defaults
        text_analyzer: the keyword (BM25) index's analyzer: ``standard`` (English stemming and stop
            words, the default), ``cjk`` (bigrams, for Chinese, Japanese, Korean) or ``exact``
        api_key: the server's API key (write scope), sent as ``Authorization: Bearer``; default
            ``$LEANN_API_KEY``
    """

    #: Documents per request: well under the server's 10000 and its 8 MiB body limit.
    MAX_BATCH_DOCUMENTS = 1000
    MAX_BATCH_BYTES = 4 << 20

    def __init__(self, backend_name: str = "hnsw", embedding_model: Optional[str] = None,
                 dimensions: Optional[int] = None, embedding_mode: Optional[str] = None,
                 url: Optional[str] = None, *, graph_degree: Optional[int] = None, is_compact: Optional[bool] = None,
                 is_recompute: Optional[bool] = None, distance_metric: Optional[str] = None,
                 num_shards: Optional[int] = None, timeout: float = DEFAULT_TIMEOUT, api_key: Optional[str] = None,
                 text_analyzer: Optional[str] = None, **backend_kwargs: Any) -> None:
        if backend_name != "hnsw":
            raise ValueError(f"backend_name must be 'hnsw', the server's only backend, got {backend_name!r}")
        for name, value in backend_kwargs.items():
            if name not in ("complexity", "num_threads"):
                raise TypeError(f"LeannBuilder() got an unexpected keyword argument {name!r}")
            if value is not None:
                raise ValueError(f"LeannBuilder(): {name} is the server's setting (leann.cluster.ingest in its "
                                 "configuration), it cannot be set per index")
        self.dimensions = dimensions
        self._settings: Dict[str, Any] = {
            "embedding_mode": embedding_mode, "model": embedding_model, "metric": distance_metric,
            "shards": num_shards, "compact": is_compact, "recompute": is_recompute, "graph_degree": graph_degree,
            "text_analyzer": text_analyzer}
        self._admin = LeannAdmin(transport=Transport(url, timeout, api_key))
        self._documents: List[Dict[str, Any]] = []

    def add_text(self, text: str, metadata: Optional[Mapping[str, Any]] = None) -> None:
        """Adds one text; the server splits long texts into passages, each with ``metadata`` plus
        ``chunk_index`` and ``chunk_count``. Metadata must be JSON: str, numbers, bools, None,
        lists and dicts of them."""
        self._documents.append(document(text, metadata, len(self._documents)))

    @property
    def pending(self) -> int:
        """Texts added and not yet sent."""
        return len(self._documents)

    def build_index(self, index_name: str, *, timeout: float = 1800.0) -> IndexInfo:
        """Creates the index when it does not exist (or checks that its settings agree:
        :class:`ConflictError`), sends the texts, and waits for the ingest jobs; returns the index
        as it is afterwards. The texts sent are forgotten, so a later call adds only newer ones:
        an index on the server grows, nothing is rebuilt from scratch.

        Raises:
            JobFailedError: the server could not index the texts; JobTimeoutError: still running
            after ``timeout`` seconds (the job goes on)
        """
        info = self._admin.create_index(index_name, **self._settings)
        self._check_dimensions(info)
        return self._ingest(index_name, timeout)

    def update_index(self, index_name: str, *, timeout: float = 1800.0) -> IndexInfo:
        """Adds the texts to an existing index (:class:`NotFoundError` when there is none)."""
        self._check_dimensions(self._admin.index(index_name))
        return self._ingest(index_name, timeout)

    def _check_dimensions(self, info: IndexInfo) -> None:
        if self.dimensions is not None and info.dimensions and info.dimensions != self.dimensions:
            raise ValueError(f"index {info.name!r} embeds with {info.model} into {info.dimensions} dimensions, "
                             f"not the {self.dimensions} asked for")

    def _ingest(self, index_name: str, timeout: float) -> IndexInfo:
        if not self._documents:
            raise ValueError("there is nothing to build: add_text() first")
        for batch in self._batches():
            job = self._admin.add_documents(index_name, batch)
            self._admin.wait_for_job(job.id, timeout=timeout)
            del self._documents[:len(batch)]
        return self._admin.index(index_name)

    def _batches(self) -> List[List[Dict[str, Any]]]:
        batches: List[List[Dict[str, Any]]] = [[]]
        size = 0
        for document in self._documents:
            length = len(json.dumps(document, ensure_ascii=False).encode("utf-8"))
            if batches[-1] and (len(batches[-1]) == self.MAX_BATCH_DOCUMENTS or size + length > self.MAX_BATCH_BYTES):
                batches.append([])
                size = 0
            batches[-1].append(document)
            size += length
        return batches


__all__ = ["LeannSearcher", "LeannChat", "ChatStream", "ReActAgent", "AgentStream", "AgentEvent",
           "create_react_agent", "LeannBuilder", "LlmConfig", "History"]
