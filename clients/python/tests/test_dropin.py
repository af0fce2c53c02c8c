"""The drop-in package ``leann``: the Python LEANN's API on index paths, with the engine in this
process (JPype) and no server. First the Python LEANN's README quick start, run unchanged as a
script; then metadata filters, chat and the ReAct agent against a scripted OpenAI-compatible model
on 127.0.0.1 (``harness.FakeLlm``), errors, and ``url=`` handing over to the HTTP client.

Needs JPype (Debian ``python3-jpype``; ``run-tests.sh`` installs it when run as root); skipped,
saying so, without it."""

from __future__ import annotations

import ast
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path
from typing import Optional

from tests.harness import REPO, FakeLlm, _SCRUBBED

HAVE_JPYPE = importlib.util.find_spec("jpype") is not None
QUICKSTART = Path(__file__).resolve().parent / "dropin" / "quickstart.py"
LICENSES = Path("/usr/share/common-licenses")

fake: Optional[FakeLlm] = None
workdir: Optional[Path] = None


def setUpModule() -> None:
    global fake, workdir
    if not HAVE_JPYPE:
        return
    fake = FakeLlm()
    workdir = Path(tempfile.mkdtemp(prefix="leann-dropin-"))
    # Found before the engine starts: the engine reads it once, at the first call.
    os.environ["LEANN_REPO"] = str(REPO)


def tearDownModule() -> None:
    if fake is not None:
        fake.stop()
    if workdir is not None:
        shutil.rmtree(workdir, ignore_errors=True)


def llm_config() -> dict:
    assert fake is not None
    return {"type": "openai", "model": "gpt-4o-mini", "base_url": fake.url, "api_key": FakeLlm.KEY}


class PackageTest(unittest.TestCase):
    def test_the_installed_package_is_typed_and_python_3_9_syntax(self) -> None:
        import leann
        package = Path(leann.__file__).parent
        self.assertTrue((package / "py.typed").is_file(), "py.typed ships with the package (PEP 561)")
        self.assertTrue((package / "logback.xml").is_file(), "the engine's log configuration ships with it")
        for module in package.glob("*.py"):
            with self.subTest(module=module.name):
                ast.parse(module.read_text("utf-8"), str(module), feature_version=(3, 9))


    def test_without_a_jar_the_error_says_what_to_set(self) -> None:
        env = {k: v for k, v in os.environ.items() if not _SCRUBBED.match(k)}
        env["PATH"] = "/usr/bin:/bin"  # no `leann` command to find a checkout by
        script = ("import leann\nb = leann.LeannBuilder()\nb.add_text('x')\ntry:\n    b.build_index('/tmp/none.leann')\n"
                  "except leann.EngineNotFoundError as e:\n    print(e)\n")
        done = subprocess.run([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, timeout=60)
        message = done.stdout.decode()
        self.assertTrue("LEANN_JAR" in message or "JPype" in message, message)


@unittest.skipUnless(HAVE_JPYPE, "the drop-in package needs JPype: apt-get install python3-jpype")
class QuickStartTest(unittest.TestCase):
    """The Python LEANN's README quick start, unchanged, in its own process and directory."""

    def test_the_quick_start_runs_unchanged(self) -> None:
        assert fake is not None and workdir is not None
        cwd = workdir / "quickstart"
        cwd.mkdir()
        env = {k: v for k, v in os.environ.items() if not _SCRUBBED.match(k)}
        # What a Python LEANN user sets to reach an OpenAI-compatible server.
        env.update({"OPENAI_BASE_URL": fake.url, "OPENAI_API_KEY": FakeLlm.KEY, "LEANN_REPO": str(REPO)})
        done = subprocess.run([sys.executable, str(QUICKSTART)], cwd=str(cwd), env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=300)
        out, err = done.stdout.decode(), done.stderr.decode()
        self.assertEqual(0, done.returncode, f"stdout:\n{out}\nstderr:\n{err}")
        lines = out.splitlines()
        self.assertEqual(2, len(lines), out)
        self.assertTrue(lines[0].endswith(" Tung Tung Tung Sahur called—they need their banana‑crocodile hybrid back"),
                        "the creature passage ranks first")
        # The fake answers citing the first source of the prompt it got: the storage passage.
        self.assertEqual("Answer from the fake model, citing passage 0.", lines[1])
        prompt = "\n".join(m["content"] for m in fake.requests[-1]["body"]["messages"])
        self.assertIn("LEANN saves 97% storage", prompt)
        self.assertIn("How much storage does LEANN save?", prompt)
        self.assertEqual("gpt-4o-mini", fake.requests[-1]["body"]["model"])
        # The index path is a directory holding our index; no JVM warning reached the user.
        self.assertTrue((cwd / "demo.leann" / "documents.leann.meta.json").is_file())
        self.assertNotIn("WARNING: Using incubator modules", err)


@unittest.skipUnless(HAVE_JPYPE, "the drop-in package needs JPype: apt-get install python3-jpype")
class InProcessTest(unittest.TestCase):
    """One index of three licences with metadata, built in this process."""

    index: str

    @classmethod
    def setUpClass(cls) -> None:
        from leann import LeannBuilder
        assert workdir is not None
        cls.index = str(workdir / "licenses.leann")
        builder = LeannBuilder(backend_name="hnsw", embedding_model="sentence-transformers/all-MiniLM-L6-v2",
                               graph_degree=16)
        for name, copyleft in (("BSD", False), ("Apache-2.0", False), ("CC0-1.0", False)):
            builder.add_text((LICENSES / name).read_text("utf-8"),
                             {"license": name, "copyleft": copyleft, "source": f"licenses/{name}"})
        builder.add_text("The GNU General Public License is a free, copyleft license: derived works must be "
                         "distributed under the same terms.", {"license": "GPL-3", "copyleft": True,
                                                                "source": "licenses/GPL-3"})
        cls.info = builder.build_index(cls.index)

    def test_the_build_reports_the_index(self) -> None:
        self.assertEqual("sentence-transformers/all-MiniLM-L6-v2", self.info.model)
        self.assertEqual(384, self.info.dimensions)
        self.assertGreater(self.info.passages, 4, "the long licences are split into passages")

    def test_search_returns_search_results_with_the_documents_metadata(self) -> None:
        from leann import LeannSearcher, SearchResult
        hits = LeannSearcher(self.index).search("Regents of the University of California", top_k=3,
                                                complexity=32, recompute_embeddings=True)
        self.assertEqual(3, len(hits))
        self.assertIsInstance(hits[0], SearchResult)
        self.assertEqual("BSD", hits[0].metadata["license"])
        self.assertIn("Regents of the University of California", hits[0].text)
        self.assertEqual(sorted((h.score for h in hits), reverse=True), [h.score for h in hits])
        # The inbox file each document was stored as is not the user's business.
        self.assertNotIn("file_path", hits[0].metadata)
        self.assertEqual("licenses/BSD", hits[0].metadata["source"])

    def test_metadata_filters(self) -> None:
        from leann import LeannSearcher
        searcher = LeannSearcher(self.index)
        hits = searcher.search("patent license", top_k=3, metadata_filters={"license": {"==": "CC0-1.0"}})
        self.assertTrue(hits)
        self.assertEqual({"CC0-1.0"}, {h.metadata["license"] for h in hits})
        copyleft = searcher.search("free software license", top_k=3, metadata_filters={"copyleft": {"is_true": True}})
        self.assertEqual(["GPL-3"], [h.metadata["license"] for h in copyleft])
        none = searcher.search("patent license", top_k=3, metadata_filters={"license": {"in": ["MIT"]}})
        self.assertEqual([], list(none))

    def test_chat_answers_from_the_retrieved_passages(self) -> None:
        from leann import LeannChat
        assert fake is not None
        chat = LeannChat(self.index, llm_config=llm_config())
        self.assertEqual("Answer from the fake model, citing licenses/GPL-3.",
                         chat.ask("What does the GNU General Public License require of derived works?", top_k=1))
        sent = fake.requests[-1]
        self.assertEqual("/v1/chat/completions", sent["path"])
        self.assertEqual(f"Bearer {FakeLlm.KEY}", sent["auth"])
        answer = chat.answer("What does the GNU General Public License require?", top_k=2)
        self.assertEqual("openai/gpt-4o-mini", answer.model)
        self.assertEqual("licenses/GPL-3", answer.sources[0].source)
        filtered = chat.answer("What does the GNU General Public License require?", top_k=2,
                               metadata_filters={"license": {"==": "BSD"}})
        self.assertEqual({"licenses/BSD"}, {source.source for source in filtered.sources})
        with self.assertRaisesRegex(ValueError, "llm_kwargs"):
            chat.ask("Anything?", llm_kwargs={"temperature": 0})

    def test_the_react_agent_searches_then_answers(self) -> None:
        from leann import LeannSearcher, ReActAgent, create_react_agent
        agent = ReActAgent(self.index, llm_config(), max_iterations=3)
        self.assertEqual("The search points to licenses/BSD.", agent.run("Regents of the University of California"))
        self.assertEqual("leann_search", agent.search_history[0]["tool"])
        self.assertIsInstance(create_react_agent(self.index, llm_config()).searcher, LeannSearcher)

    def test_bad_input_is_refused_with_what_was_wrong(self) -> None:
        from leann import LeannBuilder, LeannSearcher
        searcher = LeannSearcher(self.index)
        with self.assertRaisesRegex(ValueError, "metadata_filters"):
            searcher.search("x", metadata_filters={"license": {"~=": "BSD"}})
        with self.assertRaisesRegex(ValueError, "beam_width"):
            searcher.search("x", beam_width=2)
        with self.assertRaises(FileNotFoundError):
            LeannSearcher(str(workdir / "missing.leann"))
        with self.assertRaisesRegex(ValueError, "backend_name"):
            LeannBuilder(backend_name="diskann")
        with self.assertRaisesRegex(ValueError, "nothing to build"):
            LeannBuilder().build_index(str(workdir / "empty.leann"))
        with self.assertRaisesRegex(ValueError, "embedding_mode"):
            builder = LeannBuilder(embedding_mode="no-such-mode")
            builder.add_text("text")
            builder.build_index(str(workdir / "bad-mode.leann"))
        self.assertFalse((workdir / "bad-mode.leann").exists(), "a refused build leaves nothing behind")
        with self.assertRaisesRegex(ValueError, "embedding_mode"):
            builder.build_index(self.index)
        self.assertEqual("BSD", searcher.search("Regents of the University of California", top_k=1)[0].metadata["license"],
                         "a refused rebuild keeps the index")
        (workdir / "notes.leann").mkdir()
        (workdir / "notes.leann" / "mine.txt").write_text("not an index")
        with self.assertRaisesRegex(ValueError, "is not a LEANN index"):
            builder = LeannBuilder()
            builder.add_text("text")
            builder.build_index(str(workdir / "notes.leann"))
        self.assertEqual("not an index", (workdir / "notes.leann" / "mine.txt").read_text())

    def test_building_again_replaces_the_index(self) -> None:
        from leann import LeannBuilder, LeannSearcher
        assert workdir is not None
        path = str(workdir / "rebuilt.leann")
        for text in ("The first build knew about apples.", "The second build knows about pears."):
            builder = LeannBuilder()
            builder.add_text(text, {"build": text.split()[1]})
            self.assertEqual(1, builder.build_index(path).passages)
        hits = LeannSearcher(path).search("fruit", top_k=5)
        self.assertEqual([("The second build knows about pears.", "second")],
                         [(h.text, h.metadata["build"]) for h in hits])
        self.assertEqual(["rebuilt.leann"], [p.name for p in workdir.iterdir() if "rebuilt" in p.name],
                         "no staging or replaced directory is left")

    def test_a_url_hands_over_to_the_http_client(self) -> None:
        import leann
        import leann_client
        url = "http://127.0.0.1:9"
        self.assertIsInstance(leann.LeannSearcher("licenses", url=url), leann_client.LeannSearcher)
        self.assertIsInstance(leann.LeannBuilder(url=url), leann_client.LeannBuilder)
        self.assertIsInstance(leann.LeannChat("licenses", None, url=url), leann_client.LeannChat)
        self.assertIsInstance(leann.ReActAgent("licenses", "openai", url=url), leann_client.ReActAgent)


if __name__ == "__main__":
    unittest.main()
