"""The Python LEANN's API on index paths, run in this process (see the package's doc)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Union

import leann_client
from leann_client.api import document
from leann_client.types import ChatAnswer, IndexInfo, SearchResult, SearchResults

from . import _engine

PathLike = Union[str, "Path"]
LlmConfig = Optional[Mapping[str, Any]]


def _path(index_path: PathLike) -> str:
    path = str(index_path)
    if not path.strip():
        raise ValueError("the index path must not be empty")
    return str(Path(path).expanduser().resolve())


def _refuse_unless_default(name: str, value: Any, default: Any) -> None:
    if value != default:
        raise ValueError(f"{name}={value!r} is not supported (the engine's HNSW search has no such option); leave it "
                         f"at {default!r}")


class LeannBuilder:
    """Collects texts, then builds an index at a path, as the Python LEANN's ``LeannBuilder``.

    ``LeannBuilder(..., url=...)`` is the HTTP client's builder (:mod:`leann_client`) instead.
    Not thread-safe: it holds the texts added so far.

    Args:
        backend_name: ``hnsw``, the engine's one backend
        embedding_model: default ``sentence-transformers/all-MiniLM-L6-v2`` (ONNX, on the CPU);
            the Python LEANN's ``facebook/contriever`` default is not assumed
        dimensions: checked against the model's embedding size, when given
        embedding_mode: ``sentence-transformers``, ``openai``, ``ollama``, ``gemini``
        graph_degree, is_compact, is_recompute, distance_metric (``cosine``, ``mips``, ``l2``):
            the index's settings; None takes the engine's defaults (32, True, True, cosine)
        text_analyzer: how the keyword (BM25) index cuts text into words: ``standard`` (English
            stemming and stop words, the default), ``cjk`` (bigrams, for Chinese, Japanese,
            Korean) or ``exact`` (lower-cased runs of letters and digits)
        complexity, num_threads: accepted, as the Python LEANN's backend arguments; the build
            uses its own beam and every core
    """

    def __new__(cls, *args: Any, url: Optional[str] = None, **kwargs: Any) -> Any:
        if url is not None:
            return leann_client.LeannBuilder(*args, url=url, **kwargs)
        return super().__new__(cls)

    def __init__(self, backend_name: str = "hnsw", embedding_model: Optional[str] = None,
                 dimensions: Optional[int] = None, embedding_mode: Optional[str] = None, *,
                 graph_degree: Optional[int] = None, is_compact: Optional[bool] = None,
                 is_recompute: Optional[bool] = None, distance_metric: Optional[str] = None,
                 complexity: Optional[int] = None, num_threads: Optional[int] = None,
                 text_analyzer: Optional[str] = None) -> None:
        if backend_name != "hnsw":
            raise ValueError(f"backend_name must be 'hnsw', the engine's only backend, got {backend_name!r}")
        self.dimensions = dimensions
        self._settings: Dict[str, Any] = {
            "embedding_mode": embedding_mode, "model": embedding_model, "metric": distance_metric,
            "compact": is_compact, "recompute": is_recompute, "graph_degree": graph_degree,
            "text_analyzer": text_analyzer}
        self._documents: List[Dict[str, Any]] = []

    def add_text(self, text: str, metadata: Optional[Mapping[str, Any]] = None) -> None:
        """Adds one text; a long text becomes several passages, each with ``metadata`` plus
        ``chunk_index``. Metadata must be JSON: str, numbers, bools, None, lists and dicts."""
        self._documents.append(document(text, metadata, len(self._documents)))

    def build_index(self, index_path: PathLike) -> IndexInfo:
        """Builds the index at ``index_path`` (a directory; one there already is replaced) from
        every text added, and returns what was built."""
        if not self._documents:
            raise ValueError("there is nothing to build: add_text() first")
        info = IndexInfo.from_json(_engine.call("build", _path(index_path), json.dumps(self._documents),
                                                json.dumps(self._settings)))
        if self.dimensions is not None and info.dimensions != self.dimensions:
            raise ValueError(f"{info.model} embeds into {info.dimensions} dimensions, not the {self.dimensions} "
                             "asked for")
        return info


class LeannSearcher:
    """Searches the index at a path, as the Python LEANN's ``LeannSearcher``; the index stays open
    in the engine, so searches after the first are fast. Thread-safe.

    ``LeannSearcher(name, url=...)`` is the HTTP client's searcher (:mod:`leann_client`) instead.
    """

    def __new__(cls, *args: Any, url: Optional[str] = None, **kwargs: Any) -> Any:
        if url is not None:
            return leann_client.LeannSearcher(*args, url=url, **kwargs)
        return super().__new__(cls)

    def __init__(self, index_path: PathLike, enable_warmup: bool = False, **kwargs: Any) -> None:
        self.index_path = _path(index_path)
        if not Path(self.index_path).is_dir():
            raise FileNotFoundError(f"no index at {self.index_path}: build one with LeannBuilder.build_index")

    def search(self, query: str, top_k: int = 5, complexity: int = 64, beam_width: int = 1,
               prune_ratio: float = 0.0, recompute_embeddings: Optional[bool] = True,
               pruning_strategy: str = "global", expected_zmq_port: int = 5557,
               metadata_filters: Optional[Mapping[str, Any]] = None, batch_size: int = 0, *,
               vector_weight: Optional[float] = None, recompute_budget: Optional[int] = None,
               fusion: Optional[str] = None) -> SearchResults:
        """The ``top_k`` best passages for ``query``, best first (``SearchResult(id, score, text,
        metadata)``). ``metadata_filters`` (``{"field": {"op": value}}``) apply to the best
        ``max(top_k, complexity)`` hits; ``vector_weight`` in [0, 1] mixes in BM25 (hybrid search);
        ``fusion="rrf"`` fuses with BM25 by reciprocal rank instead (no weight).
        ``expected_zmq_port`` has no effect: the engine embeds in-process."""
        _refuse_unless_default("beam_width", beam_width, 1)
        _refuse_unless_default("pruning_strategy", pruning_strategy, "global")
        options = {"top_k": top_k, "complexity": complexity, "recompute": recompute_embeddings,
                   "metadata_filters": dict(metadata_filters) if metadata_filters else None,
                   "vector_weight": vector_weight, "fusion": fusion, "recompute_budget": recompute_budget,
                   "prune_ratio": prune_ratio or None, "batch_size": batch_size or None}
        return SearchResults.from_json(_engine.call("search", self.index_path, query, json.dumps(options)))

    def cleanup(self) -> None:
        """Nothing to release: the engine keeps the index open for the process's life."""

    def __enter__(self) -> "LeannSearcher":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.cleanup()


class LeannChat:
    """Answers questions from the index at a path with a language model, as the Python LEANN's
    ``LeannChat``. ``llm_config`` is the Python LEANN's: ``{"type": "openai" | "ollama" |
    "anthropic" | "gemini" | "extractive", "model": ..., "host": ..., "base_url": ..., "api_key":
    ...}``; keys and hosts left out come from the environment (``OPENAI_API_KEY``,
    ``OPENAI_BASE_URL``, ``OLLAMA_HOST``, ...); None picks a model as ``leann ask`` does.

    ``LeannChat(name, llm_config, url=...)`` is the HTTP client's chat (:mod:`leann_client`) instead.
    """

    def __new__(cls, *args: Any, url: Optional[str] = None, **kwargs: Any) -> Any:
        if url is not None:
            return leann_client.LeannChat(*args, url=url, **kwargs)
        return super().__new__(cls)

    def __init__(self, index_path: PathLike, llm_config: LlmConfig = None, enable_warmup: bool = False,
                 searcher: Optional[LeannSearcher] = None, **kwargs: Any) -> None:
        self.searcher = searcher if searcher is not None else LeannSearcher(index_path)
        self.llm_config = dict(llm_config) if llm_config else {}

    def ask(self, question: str, top_k: int = 5, complexity: int = 64, beam_width: int = 1,
            prune_ratio: float = 0.0, recompute_embeddings: Optional[bool] = True,
            pruning_strategy: str = "global", llm_kwargs: Optional[Mapping[str, Any]] = None,
            expected_zmq_port: int = 5557, metadata_filters: Optional[Mapping[str, Any]] = None,
            batch_size: int = 0) -> str:
        """The model's answer to ``question``, grounded in the ``top_k`` best passages (those
        passing ``metadata_filters``, as :meth:`LeannSearcher.search`). ``llm_kwargs`` (sampling
        settings) are not supported: the engine's providers use their own."""
        if llm_kwargs:
            raise ValueError(f"llm_kwargs={dict(llm_kwargs)!r} is not supported: the engine's model settings are "
                             "its own; leave it out")
        _refuse_unless_default("batch_size", batch_size, 0)
        return self.answer(question, top_k, complexity, beam_width, prune_ratio, recompute_embeddings,
                           pruning_strategy, metadata_filters).answer

    def answer(self, question: str, top_k: int = 5, complexity: int = 64, beam_width: int = 1,
               prune_ratio: float = 0.0, recompute_embeddings: Optional[bool] = True,
               pruning_strategy: str = "global", metadata_filters: Optional[Mapping[str, Any]] = None) -> ChatAnswer:
        """Like :meth:`ask`, with the sources the model was given, who answered and the timings."""
        if not isinstance(question, str) or not question.strip():
            raise ValueError("the question must be a non-blank str")
        _refuse_unless_default("beam_width", beam_width, 1)
        _refuse_unless_default("pruning_strategy", pruning_strategy, "global")
        _refuse_unless_default("prune_ratio", prune_ratio, 0.0)
        options = {"top_k": top_k, "complexity": complexity, "recompute": recompute_embeddings,
                   "metadata_filters": dict(metadata_filters) if metadata_filters else None}
        return ChatAnswer.from_json(_engine.call("ask", self.searcher.index_path, question,
                                                 json.dumps(self.llm_config), json.dumps(options)))

    def start_interactive(self) -> None:
        """Questions from the terminal until an empty line, ``quit`` or end of input."""
        while True:
            try:
                question = input("You: ").strip()
            except EOFError:
                return
            if not question or question.lower() in ("quit", "exit"):
                return
            print(f"LEANN: {self.ask(question)}")


class ReActAgent:
    """Searches the index at a path step by step with a language model (Thought, Action:
    ``leann_search("...")``, Observation; then ``Final Answer``), as the Python LEANN's ReAct
    agent. ``llm_config`` as for :class:`LeannChat`; the agent needs a real model.

    ``ReActAgent(name, llm_config, url=...)`` is the HTTP client's agent (:mod:`leann_client`).
    """

    def __new__(cls, *args: Any, url: Optional[str] = None, **kwargs: Any) -> Any:
        if url is not None:
            return leann_client.ReActAgent(*args, url=url, **kwargs)
        return super().__new__(cls)

    def __init__(self, index_path: Union[PathLike, LeannSearcher], llm_config: LlmConfig = None,
                 max_iterations: int = 5, *, top_k: int = 5, complexity: int = 32,
                 recompute_embeddings: Optional[bool] = None) -> None:
        self.searcher = index_path if isinstance(index_path, LeannSearcher) else LeannSearcher(index_path)
        self.llm_config = dict(llm_config) if llm_config else {}
        if max_iterations < 1:
            raise ValueError("max_iterations must be at least 1")
        self._options = {"max_iterations": max_iterations, "top_k": top_k, "complexity": complexity,
                         "recompute": recompute_embeddings}
        #: The steps of the last run: dicts with ``thought``, ``tool``, ``input``, ``observation``.
        self.search_history: List[Dict[str, Any]] = []

    def run(self, question: str, top_k: Optional[int] = None) -> str:
        """The agent's final answer to ``question``."""
        if not isinstance(question, str) or not question.strip():
            raise ValueError("the question must be a non-blank str")
        options = dict(self._options, top_k=top_k or self._options["top_k"])
        result = _engine.call("react", self.searcher.index_path, question, json.dumps(self.llm_config),
                              json.dumps(options))
        self.search_history = list(result.get("steps") or [])
        return str(result["answer"])


def create_react_agent(index_path: PathLike, llm_config: LlmConfig = None, max_iterations: int = 5,
                       **kwargs: Any) -> ReActAgent:
    """The Python LEANN's factory: ``ReActAgent(index_path, llm_config, max_iterations)``."""
    return ReActAgent(index_path, llm_config, max_iterations, **kwargs)
