# Sourced by the launchers: exports JAVA_HOME pointing at a JDK 25+ or exits with a clear message.
# Order: $JAVA_HOME if it is 25+, then the newest JDK 25+ under /usr/lib/jvm.
# Reads the JDK's release file rather than starting a JVM: the launchers run on every command.
leann_java_major() {
  local v=""
  if [ -f "$1/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" | head -n 1)
  fi
  if [ -z "$v" ] && [ -x "$1/bin/java" ]; then
    v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 \
      | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p' | head -n 1)
  fi
  echo "$v"
}
leann_find_jdk25() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    local v; v=$(leann_java_major "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then echo "$JAVA_HOME"; return 0; fi
  fi
  local best="" bestv=0 d v
  for d in /usr/lib/jvm/*; do
    [ -x "$d/bin/javac" ] || continue
    v=$(leann_java_major "$d")
    if [ -n "$v" ] && [ "$v" -ge 25 ] && [ "$v" -gt "$bestv" ]; then best="$d"; bestv="$v"; fi
  done
  [ -n "$best" ] && { echo "$best"; return 0; }
  return 1
}
if ! LEANN_JDK=$(leann_find_jdk25); then
  echo "error: LEANN needs a JDK 25 or newer (with javac)." >&2
  echo "  JAVA_HOME=${JAVA_HOME:-<unset>} is not one, and none was found under /usr/lib/jvm." >&2
  echo "  Install one (e.g. Debian/Ubuntu: apt-get install temurin-25-jdk from Adoptium) and set JAVA_HOME." >&2
  exit 1
fi
export JAVA_HOME="$LEANN_JDK"
export PATH="$JAVA_HOME/bin:$PATH"
