"""The client against a real ``leann serve`` node (tests/harness.py): build an index of the
licence texts every Debian machine ships through the client, then search, filter, chat (the
server's extractive provider, and a scripted OpenAI-compatible model), run the ReAct agent,
administer, and provoke every error class a user meets."""

from __future__ import annotations

import ast
import socket
import unittest
from pathlib import Path
from typing import List, Optional

import leann_client
from leann_client import (AgentStep, AgentSynthesis, AgentToken, BadRequestError, ConflictError, JobFailedError,
                          LeannAdmin, LeannApiError, LeannBuilder, LeannChat, LeannConnectionError, LeannSearcher,
                          LlmError, LlmNotConfiguredError, LlmUnavailableError, NotFoundError, PayloadTooLargeError,
                          ReActAgent, SearchResult, ServerError, UnavailableError, create_react_agent)
from leann_client._transport import Transport
from leann_client.errors import api_error

from .harness import FakeLlm, Server

LICENSES = Path("/usr/share/common-licenses")
NAMES = ["Apache-2.0", "BSD", "CC0-1.0", "GPL-3", "MPL-2.0"]
INDEX = "licenses"

llm: Optional[FakeLlm] = None
server: Optional[Server] = None
built: Optional[leann_client.IndexInfo] = None


def setUpModule() -> None:
    global llm, server, built
    llm = FakeLlm()
    try:
        server = Server(llm.url)
        builder = LeannBuilder(url=server.url, dimensions=384)
        for name in NAMES:
            builder.add_text((LICENSES / name).read_text("utf-8"),
                             {"file_path": str(LICENSES / name), "license": name, "copyleft": name in ("GPL-3", "MPL-2.0")})
        built = builder.build_index(INDEX)
    except BaseException:
        tearDownModule()
        raise


def tearDownModule() -> None:
    if server is not None:
        server.stop()
    if llm is not None:
        llm.stop()


def url() -> str:
    assert server is not None
    return server.url


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BuildTest(unittest.TestCase):
    def test_the_index_built_through_the_api_holds_every_licence(self) -> None:
        assert built is not None
        self.assertEqual(INDEX, built.name)
        self.assertEqual("ready", built.status)
        self.assertEqual(384, built.dimensions)
        self.assertEqual("sentence-transformers/all-MiniLM-L6-v2", built.model)
        self.assertGreater(built.passages, len(NAMES), "long licences are split into several passages")
        found = {h.metadata["license"] for n in NAMES
                 for h in LeannSearcher(INDEX, url()).search("license", top_k=3, metadata_filters={"license": {"==": n}})}
        self.assertEqual(set(NAMES), found)

    def test_build_update_conflict_delete(self) -> None:
        admin = LeannAdmin(url())
        builder = LeannBuilder(url=url(), distance_metric="cosine")
        builder.add_text("The lighthouse keeper rows to the island every Monday.", {"topic": "sea"})
        builder.add_text("Sourdough needs a starter fed with flour and water.", {"topic": "bread"})
        self.assertEqual(2, builder.pending)
        first = builder.build_index("notes")
        self.assertEqual(0, builder.pending, "sent texts are forgotten")
        self.assertEqual(2, first.passages)
        with self.assertRaisesRegex(ValueError, "add_text"):
            builder.build_index("notes")

        builder.add_text("Rockets carry satellites into orbit.", {"topic": "space"})
        grown = builder.update_index("notes")
        self.assertEqual(3, grown.passages)
        hits = LeannSearcher("notes", url()).search("launching a satellite", top_k=1)
        self.assertEqual("space", hits[0].metadata["topic"])

        other = LeannBuilder(url=url(), distance_metric="l2")
        other.add_text("anything")
        with self.assertRaises(ConflictError) as conflict:
            other.build_index("notes")
        self.assertEqual(409, conflict.exception.status)
        self.assertIn("other settings", conflict.exception.message)

        missing = LeannBuilder(url=url())
        missing.add_text("text")
        with self.assertRaises(NotFoundError):
            missing.update_index("no-such-index")

        job = admin.delete_documents("notes", {"topic": {"in": ["sea", "bread"]}})
        self.assertEqual("done", admin.wait_for_job(job.id, timeout=120).state)
        self.assertEqual(1, admin.index("notes").passages)
        self.assertEqual(["space"], [h.metadata["topic"] for h in
                                     LeannSearcher("notes", url()).search("the lighthouse keeper", top_k=3)])
        with self.assertRaises(JobFailedError) as everything:
            admin.wait_for_job(admin.delete_documents("notes", {"topic": {"==": "space"}}).id, timeout=120)
        self.assertIn("delete the index instead", str(everything.exception))
        with self.assertRaises(BadRequestError):
            admin.delete_documents("notes", {"topic": "space"})
        with self.assertRaises(ValueError):
            admin.delete_documents("notes", {})

        admin.delete_index("notes")
        with self.assertRaises(NotFoundError) as gone:
            admin.index("notes")
        self.assertEqual("not_found", gone.exception.code)
        self.assertNotIn("notes", [i.name for i in admin.list_indexes()])

    def test_bad_texts_are_refused_before_anything_is_sent(self) -> None:
        builder = LeannBuilder(url=url())
        with self.assertRaisesRegex(ValueError, "text #0 must be a non-blank str"):
            builder.add_text("   ")
        with self.assertRaisesRegex(ValueError, "metadata of text #0 is not JSON"):
            builder.add_text("ok", {"tags": {"a", "b"}})
        with self.assertRaisesRegex(ValueError, "backend_name must be 'hnsw'"):
            LeannBuilder("diskann", url=url())
        with self.assertRaisesRegex(ValueError, "num_threads is the server's setting"):
            LeannBuilder(url=url(), num_threads=4)
        self.assertEqual(0, builder.pending)

    def test_a_bad_index_name_is_named_by_the_server(self) -> None:
        builder = LeannBuilder(url=url())
        builder.add_text("text")
        with self.assertRaises(BadRequestError) as bad:
            builder.build_index("../escape")
        self.assertEqual(400, bad.exception.status)
        self.assertIn("'name'", bad.exception.message)

    def test_dimensions_are_checked(self) -> None:
        builder = LeannBuilder(url=url(), dimensions=768)
        builder.add_text("text")
        with self.assertRaisesRegex(ValueError, "384 dimensions, not the 768"):
            builder.update_index(INDEX)


class SearchTest(unittest.TestCase):
    def setUp(self) -> None:
        self.searcher = LeannSearcher(INDEX, url=url())

    def test_the_relevant_licence_ranks_first(self) -> None:
        hits = self.searcher.search("Regents of the University of California", top_k=4, complexity=64)
        self.assertEqual(4, len(hits))
        self.assertIsInstance(hits[0], SearchResult)
        self.assertEqual(["BSD", "BSD"], [h.metadata["license"] for h in hits[:2]], "both BSD passages first")
        self.assertIn("Regents of the University of California", hits[0].text + hits[1].text)
        self.assertEqual(sorted((h.score for h in hits), reverse=True), [h.score for h in hits], "cosine: best first")
        self.assertFalse(hits.partial)
        self.assertEqual([], hits.missing_shards)
        self.assertGreater(hits.timing_ms["total"], 0)

    def test_filters_apply_during_the_search(self) -> None:
        hits = self.searcher.search("patent license", top_k=5, metadata_filters={"license": {"==": "Apache-2.0"}})
        self.assertEqual(5, len(hits))
        self.assertEqual({"Apache-2.0"}, {h.metadata["license"] for h in hits})
        permissive = self.searcher.search("patent license", top_k=5, metadata_filters={"copyleft": {"is_false": True}})
        self.assertTrue(permissive)
        self.assertTrue(all(h.metadata["license"] in ("Apache-2.0", "BSD", "CC0-1.0") for h in permissive))

    def test_hybrid_search_and_recompute(self) -> None:
        hits = self.searcher.search("Creative Commons waiver", top_k=3, vector_weight=0.5,
                                    metadata_filters={"license": {"in": ["CC0-1.0", "BSD"]}})
        self.assertEqual("CC0-1.0", hits[0].metadata["license"])
        recomputed = self.searcher.search("Creative Commons waiver", top_k=3, recompute_embeddings=True)
        self.assertEqual("CC0-1.0", recomputed[0].metadata["license"])
        # ranked by exact distances: recomputed, or served by the shard's cross-query cache
        self.assertGreater(recomputed.stats["exact_distances"], 0)

    def test_two_level_knobs_reach_the_server(self) -> None:
        # The index is pruned with PQ codes: the budget bounds the embeddings recomputed per query.
        hits = self.searcher.search("copyleft", top_k=3, recompute_budget=7, prune_ratio=0.2, batch_size=4)
        self.assertEqual(3, len(hits))
        self.assertLessEqual(hits.stats["recomputed"], 7)
        self.assertGreater(hits.stats["pq_distances"], 0)
        self.assertLessEqual(hits.stats["recompute_requests"], 2)
        with self.assertRaises(BadRequestError) as e:
            self.searcher.search("copyleft", prune_ratio=1.5)
        self.assertIn("prune_ratio", str(e.exception))

    def test_python_leann_options_at_their_defaults_are_accepted(self) -> None:
        with LeannSearcher(INDEX, url(), enable_warmup=True) as searcher:
            hits = searcher.search("copyleft", top_k=2, beam_width=1, prune_ratio=0.0, pruning_strategy="global",
                                   expected_zmq_port=6000, batch_size=0)
        self.assertEqual(2, len(hits))
        with self.assertRaisesRegex(ValueError, "beam_width=4 is not offered"):
            self.searcher.search("copyleft", beam_width=4)
        with self.assertRaisesRegex(TypeError, "unexpected keyword argument 'use_grep'"):
            self.searcher.search("copyleft", use_grep=True)

    def test_bad_input_is_a_bad_request_naming_the_field(self) -> None:
        cases = [({"query": "   "}, "'query'"), ({"query": "x", "top_k": 0}, "'top_k'"),
                 ({"query": "x", "top_k": "five"}, "top_k"), ({"query": "x", "vector_weight": 2.0}, "'vector_weight'"),
                 ({"query": "x", "metadata_filters": {"license": {"~": 1}}}, "metadata_filters")]
        for kwargs, field in cases:
            with self.subTest(kwargs=kwargs), self.assertRaises(BadRequestError) as bad:
                self.searcher.search(**kwargs)
            self.assertEqual(400, bad.exception.status)
            self.assertEqual("bad_request", bad.exception.code)
            self.assertIn(field, bad.exception.message)

    def test_an_unknown_index_is_not_found(self) -> None:
        with self.assertRaises(NotFoundError) as missing:
            LeannSearcher("no-such-index", url()).search("anything")
        self.assertEqual(404, missing.exception.status)
        self.assertEqual("not_found", missing.exception.code)
        self.assertIn("no-such-index", missing.exception.message)
        self.assertIn("HTTP 404", str(missing.exception))

    def test_an_unreachable_server_is_a_connection_error(self) -> None:
        with self.assertRaisesRegex(LeannConnectionError, "cannot reach the LEANN server"):
            LeannSearcher(INDEX, f"http://127.0.0.1:{closed_port()}").search("x")
        with self.assertRaisesRegex(ValueError, "url must be an http"):
            LeannSearcher(INDEX, "ftp://example")


class ChatTest(unittest.TestCase):
    QUESTION = "Does the GNU GPL permit incorporating my program into proprietary programs?"

    def test_the_extractive_provider_quotes_the_best_passages(self) -> None:
        chat = LeannChat(INDEX, url=url())
        answer = chat.answer(self.QUESTION, top_k=3)
        self.assertEqual("extractive", answer.model)
        self.assertTrue(answer.answer.startswith("No language model was used to answer this (LEANN_LLM is extractive)."),
                        answer.answer)
        self.assertIn("\n[1] /usr/share/common-licenses/GPL-3\n", answer.answer)
        self.assertIn("does not permit incorporating your program into proprietary programs", answer.answer)
        self.assertEqual(3, len(answer.sources))
        self.assertEqual(str(LICENSES / "GPL-3"), answer.sources[0].source)
        self.assertEqual("GPL-3", answer.sources[0].metadata["license"])
        self.assertGreater(answer.timing_ms["total"], 0)
        self.assertEqual(answer.answer, chat.ask(self.QUESTION, top_k=3), "ask is the answer's text")

    def test_a_streamed_answer_yields_its_text_then_the_result(self) -> None:
        with LeannChat(INDEX, "extractive", url()).stream(self.QUESTION, top_k=3) as tokens:
            pieces: List[str] = list(tokens)
        self.assertGreater(len(pieces), 1, "the extractive answer streams line by line")
        assert tokens.result is not None and tokens.sources is not None
        self.assertEqual(tokens.result.answer, "".join(pieces))
        self.assertEqual(3, len(tokens.sources))
        self.assertEqual(tokens.sources[0].id, tokens.result.sources[0].id)

    def test_a_named_model_answers_with_the_retrieved_sources_and_the_history(self) -> None:
        assert llm is not None
        chat = LeannChat(INDEX, {"type": "openai", "model": "gpt-4o-mini"}, url())
        history = [("user", "What licences are there?"), {"role": "assistant", "content": "GPL, MPL, BSD, ..."}]
        with chat.stream(self.QUESTION, top_k=2, history=history) as tokens:
            text = "".join(tokens)
        assert tokens.result is not None
        self.assertEqual(f"Answer from the fake model, citing {tokens.result.sources[0].source}.", text)
        self.assertEqual("openai/gpt-4o-mini", tokens.result.model)
        sent = llm.requests[-1]
        self.assertEqual("Bearer " + FakeLlm.KEY, sent["auth"])
        self.assertEqual("gpt-4o-mini", sent["body"]["model"])
        self.assertEqual(["system", "user", "assistant", "user"], [m["role"] for m in sent["body"]["messages"]])
        self.assertEqual("What licences are there?", sent["body"]["messages"][1]["content"])

    def test_bad_chat_input(self) -> None:
        with self.assertRaises(NotFoundError):
            LeannChat("no-such-index", url=url()).ask("x")
        with self.assertRaises(NotFoundError):
            LeannChat("no-such-index", url=url()).stream("x")
        with self.assertRaisesRegex(BadRequestError, "history\\[0\\].role"):
            LeannChat(INDEX, url=url()).ask("x", history=[("system", "obey")])
        with self.assertRaisesRegex(BadRequestError, "llm.provider"):
            LeannChat(INDEX, "simulated", url()).ask("x")
        with self.assertRaisesRegex(LlmNotConfiguredError, "ANTHROPIC_API_KEY") as unconfigured:
            LeannChat(INDEX, "anthropic", url()).ask("x")
        self.assertEqual(503, unconfigured.exception.status)
        with self.assertRaisesRegex(ValueError, "hosts and API keys are the server's"):
            LeannChat(INDEX, {"type": "openai", "api_key": "sk-mine"}, url())
        with self.assertRaisesRegex(ValueError, "metadata_filters are not supported"):
            LeannChat(INDEX, url=url()).ask("x", metadata_filters={"license": {"==": "BSD"}})


class AgentTest(unittest.TestCase):
    QUESTION = "Who may distribute copies of the Program?"

    def test_the_agent_searches_then_answers(self) -> None:
        agent = create_react_agent(INDEX, {"type": "openai"}, max_iterations=3, url=url())
        result = agent.answer(self.QUESTION)
        self.assertEqual(1, len(result.steps))
        step = result.steps[0]
        self.assertEqual(("leann_search", self.QUESTION), (step.tool, step.input))
        self.assertTrue(step.observation.startswith("[1] (score "), step.observation)
        first_source = step.observation.split("Source: ", 1)[1].split("\n", 1)[0]
        self.assertEqual(f"The search points to {first_source}.", result.answer)
        self.assertFalse(result.synthesized)
        self.assertEqual("openai/gpt-4o", result.model)
        self.assertEqual(5, len(result.sources), "top_k results of the one search")
        self.assertEqual(result.answer, agent.run(self.QUESTION))

    def test_a_streamed_run_that_runs_out_of_iterations_synthesises(self) -> None:
        agent = ReActAgent(INDEX, "openai", url(), max_iterations=1, top_k=2)
        with agent.stream(self.QUESTION) as events:
            seen = list(events)
        self.assertIsInstance(seen[0], AgentStep)
        self.assertIsInstance(seen[1], AgentSynthesis)
        self.assertIn("all 1 iterations", seen[1].reason)
        tokens = [e.text for e in seen[2:] if isinstance(e, AgentToken)]
        self.assertEqual(len(seen) - 2, len(tokens))
        assert events.result is not None
        self.assertTrue(events.result.synthesized)
        self.assertEqual("".join(tokens), events.result.answer)
        self.assertTrue(events.result.answer.startswith("Answer from the fake model, citing /usr/share/common-licenses/"))

    def test_the_agent_needs_a_language_model(self) -> None:
        with self.assertRaises(LlmNotConfiguredError) as error:
            ReActAgent(INDEX, url=url()).run(self.QUESTION)
        self.assertEqual(503, error.exception.status)
        self.assertEqual("llm_not_configured", error.exception.code)
        self.assertIn("needs a language model", error.exception.message)
        with self.assertRaisesRegex(BadRequestError, "max_iterations"):
            ReActAgent(INDEX, "openai", url(), max_iterations=0).run(self.QUESTION)
        with self.assertRaises(NotFoundError):
            ReActAgent("no-such-index", "openai", url()).stream(self.QUESTION)


class AdminTest(unittest.TestCase):
    def setUp(self) -> None:
        self.admin = LeannAdmin(url())

    def test_health_indexes_nodes_and_shards(self) -> None:
        self.assertEqual("ok", self.admin.health().status)
        info = self.admin.index(INDEX)
        self.assertEqual(info, next(i for i in self.admin.list_indexes() if i.name == INDEX))
        nodes = self.admin.nodes()
        self.assertEqual(1, len(nodes))
        self.assertEqual("up", nodes[0].status)
        self.assertEqual({"coordinator", "embed", "shard"}, set(nodes[0].roles) & {"coordinator", "embed", "shard"})
        LeannSearcher(INDEX, url()).search("license", top_k=1)
        placement = [p for p in self.admin.shards() if p.index == INDEX]
        self.assertEqual([0], [p.shard for p in placement])
        self.assertEqual(nodes[0].address, placement[0].actual_node)

        moved = self.admin.move_shard(INDEX, 0, nodes[0].address)
        self.assertEqual((INDEX, 0, nodes[0].address), (moved.index, moved.shard, moved.desired_node))
        self.assertEqual([0], [p.shard for p in self.admin.rebalance(INDEX)])

    def test_admin_errors(self) -> None:
        with self.assertRaisesRegex(BadRequestError, "'text_analyzer'"):
            self.admin.create_index("analyzer-typo", text_analyzer="klingon")
        with self.assertRaisesRegex(BadRequestError, "'node'"):
            self.admin.move_shard(INDEX, 0, "pekko://leann@127.0.0.1:1")
        with self.assertRaises(NotFoundError):
            self.admin.move_shard(INDEX, 7, self.admin.nodes()[0].address)
        with self.assertRaises(NotFoundError):
            self.admin.job("no-such-job")
        with self.assertRaises(NotFoundError) as route:
            Transport(url()).json("GET", "/no/such/route")
        self.assertIn("no route for GET /no/such/route", route.exception.message)


class ErrorMappingTest(unittest.TestCase):
    def test_codes_pick_the_class_and_unknown_codes_fall_back_to_the_status(self) -> None:
        cases = [(400, "invalid_json", BadRequestError), (413, "too_large", PayloadTooLargeError),
                 (502, "llm_auth_failed", LlmError), (503, "llm_unavailable", LlmUnavailableError),
                 (None, "llm_unavailable", UnavailableError), (503, "llm_not_configured", LlmNotConfiguredError),
                 (503, "unavailable", UnavailableError), (500, "internal_error", ServerError),
                 (418, "teapot", BadRequestError), (599, "new_code", ServerError), (None, "new_code", LeannApiError)]
        for status, code, cls in cases:
            with self.subTest(code=code):
                error = api_error(status, code, "message")
                self.assertIsInstance(error, cls)
                self.assertEqual((status, code, "message"), (error.status, error.code, error.message))
        self.assertTrue(issubclass(leann_client.JobTimeoutError, TimeoutError))
        self.assertTrue(issubclass(JobFailedError, leann_client.LeannError))


class PackagingTest(unittest.TestCase):
    def test_the_installed_package_is_typed_and_python_3_9_syntax(self) -> None:
        package = Path(leann_client.__file__).parent
        self.assertTrue((package / "py.typed").is_file(), "py.typed ships with the package (PEP 561)")
        for module in package.glob("*.py"):
            with self.subTest(module=module.name):
                ast.parse(module.read_text("utf-8"), str(module), feature_version=(3, 9))


if __name__ == "__main__":
    unittest.main()
