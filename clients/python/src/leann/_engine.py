"""The in-process engine: LEANN on the JVM, started once per Python process through JPype, and its
facade ``io.leann.coordinator.embedded.EmbeddedLeann`` (JSON strings in, JSON strings out).

Where things are found, first match wins:

- the jar: ``$LEANN_JAR``; else ``coordinator/target/leann.jar`` of the checkout named by
  ``$LEANN_REPO`` or holding the ``leann`` command on ``PATH`` (its ``bin/leann`` first builds the
  jar when it is missing or older than the sources);
- the JDK (25 or later): ``$LEANN_JAVA_HOME``; else what the checkout's ``bin/jdk25.sh`` finds;
  else ``$JAVA_HOME``.

The JVM lives until the process exits (JPype cannot restart one); its log goes to stderr at WARN
(``$LEANN_LOG_LEVEL`` to change). Thread-safe: the start is guarded by a lock, and the facade may be
called from any thread.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any, Dict, Optional

_FACADE = "io.leann.coordinator.embedded.EmbeddedLeann"
#: The JVM announces the incubating Vector API on stderr at start; nothing else is hidden.
_VECTOR_WARNING = b"WARNING: Using incubator modules: jdk.incubator.vector"
_lock = threading.Lock()
_facade: Any = None


class EngineNotFoundError(RuntimeError):
    """The JVM, the jar or JPype cannot be found; the message says what to install or set."""


def call(method: str, *args: Optional[str]) -> Dict[str, Any]:
    """Calls a facade method and parses its JSON answer; the engine's errors become Python ones:
    a bad request ``ValueError``, a missing index ``FileNotFoundError``, anything else
    ``RuntimeError``, each with the engine's message."""
    facade = _start()
    import jpype
    try:
        return json.loads(str(getattr(facade, method)(*args)))
    except jpype.JException as e:
        raise _translate(e) from None


def _translate(e: Any) -> Exception:
    import jpype
    message = str(e.getMessage()) if e.getMessage() is not None else str(e.getClass().getName())
    status = e.status() if isinstance(e, jpype.JClass("io.leann.protocol.api.ApiException")) else None
    if status == 404 or isinstance(e, jpype.JClass("java.nio.file.NoSuchFileException")):
        return FileNotFoundError(message)
    if status == 400 or isinstance(e, jpype.JClass("java.lang.IllegalArgumentException")):
        return ValueError(message)
    return RuntimeError(message)


def _start() -> Any:
    global _facade
    with _lock:
        if _facade is None:
            _facade = _start_jvm()
        return _facade


def _start_jvm() -> Any:
    try:
        import jpype
    except ImportError:
        raise EngineNotFoundError("the local API runs LEANN in-process through JPype: install it (Debian: apt-get "
                                  "install python3-jpype, into a venv made with --system-site-packages; or pip "
                                  "install JPype1)") from None
    repo = _checkout()
    jar = Path(os.environ["LEANN_JAR"]) if os.environ.get("LEANN_JAR") else None
    if jar is None:
        if repo is None:
            raise EngineNotFoundError("cannot find LEANN's jar: set LEANN_JAR to leann.jar, or LEANN_REPO to a "
                                      "checkout of LEANN on the JVM, or put its bin/leann on PATH")
        # bin/leann builds the jar when it is missing or stale; --version is its cheapest command.
        subprocess.run([str(repo / "bin" / "leann"), "--version"], check=True, stdout=subprocess.DEVNULL)
        jar = repo / "coordinator" / "target" / "leann.jar"
    if not jar.is_file():
        raise EngineNotFoundError(f"LEANN's jar {jar} does not exist")
    jvm = _libjvm(_java_home(repo))
    classpath = [str(jar)]
    debian_jpype = Path("/usr/share/java/org.jpype.jar")  # Debian's python3-jpype keeps its jar apart
    if debian_jpype.is_file():
        classpath.append(str(debian_jpype))
    args = ["--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
            "-Dlogback.configurationFile=" + str(Path(__file__).with_name("logback.xml")),
            "-DLEANN_LOG_LEVEL=" + os.environ.get("LEANN_LOG_LEVEL", "WARN")]
    native = jar.parent / "onnxruntime-native"
    if (native / ".complete").is_file():  # unpacked by bin/leann; saves ONNX Runtime a temp copy per start
        args.append("-Donnxruntime.native.path=" + str(native))
    with _stderr_without_vector_warning():
        jpype.startJVM(str(jvm), *args, classpath=classpath, convertStrings=True)
    return jpype.JClass(_FACADE)


def _checkout() -> Optional[Path]:
    if os.environ.get("LEANN_REPO"):
        return Path(os.environ["LEANN_REPO"]).resolve()
    command = shutil.which("leann")
    if command:
        repo = Path(command).resolve().parents[1]
        if (repo / "bin" / "jdk25.sh").is_file():
            return repo
    return None


def _java_home(repo: Optional[Path]) -> Path:
    if os.environ.get("LEANN_JAVA_HOME"):
        return Path(os.environ["LEANN_JAVA_HOME"])
    if repo is not None:
        found = subprocess.run(["bash", "-c", '. bin/jdk25.sh >/dev/null && printf %s "$JAVA_HOME"'], cwd=str(repo),
                               stdout=subprocess.PIPE, check=False).stdout.decode().strip()
        if found:
            return Path(found)
    if os.environ.get("JAVA_HOME"):
        return Path(os.environ["JAVA_HOME"])
    raise EngineNotFoundError("cannot find a JDK 25: set LEANN_JAVA_HOME (or JAVA_HOME) to one")


def _libjvm(java_home: Path) -> Path:
    for candidate in (java_home / "lib" / "server" / "libjvm.so", java_home / "lib" / "server" / "libjvm.dylib",
                      java_home / "bin" / "server" / "jvm.dll"):
        if candidate.is_file():
            return candidate
    raise EngineNotFoundError(f"{java_home} holds no JVM library (lib/server/libjvm.so): is it a JDK 25?")


class _stderr_without_vector_warning:
    """Sends file descriptor 2 to a temporary file while the JVM starts, then writes back all of it
    but the Vector API's announcement: the JVM writes that line itself, so no flag or logger can."""

    def __enter__(self) -> None:
        sys.stderr.flush()
        self._saved = os.dup(2)
        self._file = tempfile.TemporaryFile()
        os.dup2(self._file.fileno(), 2)

    def __exit__(self, *exc: Any) -> None:
        os.dup2(self._saved, 2)
        os.close(self._saved)
        self._file.seek(0)
        kept = [line for line in self._file.read().splitlines(keepends=True) if line.rstrip() != _VECTOR_WARNING]
        self._file.close()
        if kept:
            os.write(2, b"".join(kept))
