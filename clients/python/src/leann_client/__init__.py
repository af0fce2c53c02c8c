"""A client for the REST API of LEANN on the JVM, with the Python LEANN's API names.

::

    from leann_client import LeannBuilder, LeannSearcher, LeannChat

    builder = LeannBuilder(url="http://127.0.0.1:8080")
    builder.add_text("LEANN recomputes embeddings at query time.", {"source": "notes.md"})
    builder.build_index("notes")

    for hit in LeannSearcher("notes").search("how are embeddings stored?", top_k=3):
        print(hit.score, hit.text)
    print(LeannChat("notes").ask("How does LEANN save space?"))
"""

from .admin import LeannAdmin
from .api import (AgentEvent, AgentStream, ChatStream, LeannBuilder, LeannChat, LeannSearcher, ReActAgent,
                  create_react_agent)
from .errors import (AuthenticationError, BadRequestError, ConflictError, JobFailedError, JobTimeoutError,
                     LeannApiError, LeannConnectionError, LeannError, LlmError, LlmNotConfiguredError,
                     LlmUnavailableError, NotFoundError, PayloadTooLargeError, ServerError, UnavailableError)
from .types import (AgentAnswer, AgentRetry, AgentStep, AgentSynthesis, AgentToken, ChatAnswer, ChatSource, Health,
                    IndexInfo, JobStatus, NodeInfo, SearchResult, SearchResults, ShardPlacement)

__version__ = "0.1.0"

__all__ = [
    "LeannBuilder", "LeannSearcher", "LeannChat", "ChatStream", "ReActAgent", "AgentStream", "AgentEvent",
    "create_react_agent", "LeannAdmin",
    "SearchResult", "SearchResults", "ChatAnswer", "ChatSource", "AgentAnswer", "AgentStep", "AgentRetry",
    "AgentSynthesis", "AgentToken", "IndexInfo", "JobStatus", "NodeInfo", "ShardPlacement", "Health",
    "LeannError", "LeannConnectionError", "LeannApiError", "BadRequestError", "PayloadTooLargeError",
    "AuthenticationError", "NotFoundError", "ConflictError", "ServerError", "UnavailableError", "LlmError",
    "LlmUnavailableError", "LlmNotConfiguredError", "JobFailedError", "JobTimeoutError",
]
