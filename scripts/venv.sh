# Sourced by scripts/demo and scripts/test: a virtual environment in .venv made from the
# machine's own python3 (Debian's python3 refuses `pip install` outside one: PEP 668), with
# the project installed in it. Debian's python3 has no venv module until python3-venv is
# installed; it is installed here when missing (as root, or through sudo).
# usage: ensure_venv EXTRAS   (e.g. "" or "[test]")

apt_install() {
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "installing $* (Debian packages)" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

ensure_venv() {
  local extras="${1:-}"
  if ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
    apt_install python3-venv
  fi
  if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
  fi
  PIP_DISABLE_PIP_VERSION_CHECK=1 .venv/bin/python -m pip install -q -e ".${extras}"
}
