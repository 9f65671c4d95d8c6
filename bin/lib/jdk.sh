# Sourced by the bin/ scripts: finds a JDK 21 or newer and exports JAVA_HOME and PATH.
#   Looks at $JAVA_HOME, then `javac` on PATH, then the newest under /usr/lib/jvm.

java_major() { # prints the major version of the java binary given, or 0
  local v
  v=$("$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}')
  echo "${v:-0}" | cut -d. -f1
}

find_jdk() {
  local candidate
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/javac" && $(java_major "$JAVA_HOME/bin/java") -ge 21 ]]; then
    echo "$JAVA_HOME"; return
  fi
  if command -v javac >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    if [[ $(java_major "$candidate/bin/java") -ge 21 ]]; then echo "$candidate"; return; fi
  fi
  local best="" best_v=0 v
  for candidate in /usr/lib/jvm/*; do
    [[ -x "$candidate/bin/javac" ]] || continue
    v=$(java_major "$candidate/bin/java")
    if (( v >= 21 && v > best_v )); then best="$candidate"; best_v=$v; fi
  done
  [[ -n "$best" ]] && { echo "$best"; return; }
  return 1
}

use_jdk() {
  JAVA_HOME=$(find_jdk) || {
    echo "no JDK 21 or newer found (looked at JAVA_HOME, PATH and /usr/lib/jvm/*); install one, e.g. apt-get install openjdk-21-jdk-headless" >&2
    return 1
  }
  export JAVA_HOME
  export PATH="$JAVA_HOME/bin:$PATH"
}
