"""The Python LEANN's API on local index paths, with LEANN on the JVM running in this process
(through JPype): no server to start.

::

    from leann import LeannBuilder, LeannSearcher, LeannChat

    builder = LeannBuilder(backend_name="hnsw")
    builder.add_text("LEANN saves 97% storage compared to traditional vector databases.")
    builder.build_index("./demo.leann")
    for hit in LeannSearcher("./demo.leann").search("how much storage?", top_k=1):
        print(hit.score, hit.text)

An index path ``dir/name.leann`` is a directory holding the index (the Python LEANN writes
``name.leann.meta.json``, ``name.leann.passages.jsonl``, ... next to each other instead).
Given ``url=``, each class is the HTTP client's (:mod:`leann_client`), for a remote cluster.
"""

from leann_client.types import ChatAnswer, IndexInfo, SearchResult, SearchResults

from ._engine import EngineNotFoundError
from .api import LeannBuilder, LeannChat, LeannSearcher, ReActAgent, create_react_agent

__version__ = "0.1.0"

__all__ = ["LeannBuilder", "LeannSearcher", "LeannChat", "ReActAgent", "create_react_agent", "SearchResult",
           "SearchResults", "ChatAnswer", "IndexInfo", "EngineNotFoundError"]
