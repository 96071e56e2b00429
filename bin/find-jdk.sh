# Sourced by ./ensemble and ./mvnw (POSIX sh): exports JAVA_HOME as a JDK >= 21.
# Looks at $JAVA_HOME, then `java` on PATH, then /usr/lib/jvm/* and the usual macOS and SDKMAN
# places. The user's own choice wins when it is new enough; otherwise the newest JDK found wins.
# Plain `java` is often 17 here, which can neither build nor run ensemble.

ensemble_java_major() { # $1 = a java binary; prints its major version, or nothing
  # The JDK's `release` file answers in a millisecond; starting the JVM to ask takes a hundred.
  _ejm_release="$(dirname "$(dirname "$1")")/release"
  if [ -r "$_ejm_release" ]; then
    _ejm_v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$_ejm_release" | head -n 1)
  else
    _ejm_v=""
  fi
  [ -n "$_ejm_v" ] || _ejm_v=$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n 1)
  case "$_ejm_v" in 1.*) _ejm_v=${_ejm_v#1.} ;; esac
  printf '%s' "${_ejm_v%%.*}"
}

ensemble_find_jdk() {
  _efj_want=${ENSEMBLE_MIN_JAVA:-21}
  _efj_best=""
  _efj_best_major=0
  _efj_path_home=""
  if command -v java >/dev/null 2>&1; then
    _efj_path_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
  fi
  for _efj_home in "${JAVA_HOME:-}" "$_efj_path_home"; do
    [ -n "$_efj_home" ] && [ -x "$_efj_home/bin/javac" ] || continue
    _efj_major=$(ensemble_java_major "$_efj_home/bin/java")
    if [ -n "$_efj_major" ] && [ "$_efj_major" -ge "$_efj_want" ]; then
      export JAVA_HOME="$_efj_home"
      return 0
    fi
  done
  for _efj_home in /usr/lib/jvm/* /Library/Java/JavaVirtualMachines/*/Contents/Home \
                   "$HOME"/.sdkman/candidates/java/* /opt/java/* /opt/jdk*; do
    [ -x "$_efj_home/bin/javac" ] || continue
    _efj_major=$(ensemble_java_major "$_efj_home/bin/java")
    [ -n "$_efj_major" ] || continue
    if [ "$_efj_major" -ge "$_efj_want" ] && [ "$_efj_major" -gt "$_efj_best_major" ]; then
      _efj_best=$_efj_home
      _efj_best_major=$_efj_major
    fi
  done
  if [ -z "$_efj_best" ]; then
    echo "ensemble: no JDK $_efj_want or newer found (looked at JAVA_HOME, java on PATH, /usr/lib/jvm)." >&2
    echo "          Install one (e.g. 'apt-get install openjdk-21-jdk-headless') or set JAVA_HOME." >&2
    return 1
  fi
  export JAVA_HOME="$_efj_best"
}
