#!/bin/sh
# One-line install of the kubeflare node agent on a Linux machine with Docker:
#
#   curl -fsSL https://raw.githubusercontent.com/kubeflare/kubeflare/main/agent/packaging/install.sh \
#     | sudo sh -s -- --server https://kubeflare.<account>.workers.dev --token <join-token>
#
# It installs the agent (npm package, pure JavaScript: amd64 and arm64 alike),
# joins the node with the join token (the node's own credential is kept in
# /var/lib/kubeflare-agent), writes /etc/kubeflare/agent.env and the systemd
# unit, and starts it. Run it again to upgrade; the node keeps its credential.
#
# Flags:
#   --server URL       control plane URL                                [required]
#   --token TOKEN      node join token (kubeflare token create-join)     [required on first install]
#   --name NODE        node name (default: hostname)
#   --labels k=v,...   extra node labels
#   --ca-file PEM      CA of the control plane (only for private CAs, e.g. a local wrangler dev)
#   --package SPEC     what `npm install -g` installs (default @kubeflare/agent; a tarball or directory works)
#   --root DIR         write files under DIR and skip npm, join and systemctl (for packaging and tests)
set -eu

server="" token="" name="" labels="" ca_file="" package="${KUBEFLARE_AGENT_PACKAGE:-@kubeflare/agent}" root=""
fail() { echo "install.sh: $*" >&2; exit 1; }
step() { echo "» $*"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --server) server="${2:-}"; shift 2 ;;
    --token) token="${2:-}"; shift 2 ;;
    --name) name="${2:-}"; shift 2 ;;
    --labels) labels="${2:-}"; shift 2 ;;
    --ca-file) ca_file="${2:-}"; shift 2 ;;
    --package) package="${2:-}"; shift 2 ;;
    --root) root="${2:-}"; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) fail "unknown flag $1 (see --help)" ;;
  esac
done

[ -n "$server" ] || fail "--server is required"
case "$server" in https://*) ;; *) fail "--server must be an https:// URL (the agent never sends a token over plain http)" ;; esac
[ "$(uname -s)" = "Linux" ] || fail "the agent runs on Linux"

state_dir="$root/var/lib/kubeflare-agent"
etc_dir="$root/etc/kubeflare"
unit_dir="$root/etc/systemd/system"
here="$(cd "$(dirname "$0")" 2>/dev/null && pwd || true)"

if [ -z "$root" ]; then
  [ "$(id -u)" = "0" ] || fail "run as root (sudo): the agent drives Docker and writes /etc and /var/lib"
  docker info >/dev/null 2>&1 || fail "Docker is not running (apt-get install -y docker.io && systemctl start docker)"
  command -v node >/dev/null 2>&1 || fail "Node.js 20 or newer is required (https://nodejs.org or your distribution)"
  major="$(node -p 'process.versions.node.split(".")[0]')"
  [ "$major" -ge 20 ] || fail "Node.js 20 or newer is required, found $(node --version)"
  step "installing $package …"
  npm install -g --no-fund --no-audit "$package" >/dev/null
  agent_bin="$(npm prefix -g)/bin/kubeflare-agent"
  [ -x "$agent_bin" ] || fail "npm did not install kubeflare-agent"
  [ "$agent_bin" = /usr/local/bin/kubeflare-agent ] || ln -sf "$agent_bin" /usr/local/bin/kubeflare-agent
fi

mkdir -p "$state_dir" "$etc_dir" "$unit_dir"
chmod 700 "$state_dir"

extra=""
[ -n "$name" ] && extra="$extra --name $name"
[ -n "$labels" ] && extra="$extra --labels $labels"
if [ -n "$ca_file" ]; then
  cp "$ca_file" "$etc_dir/ca.pem"
  extra="$extra --ca-file /etc/kubeflare/ca.pem"
fi

if [ -n "$token" ] && [ -z "$root" ]; then
  step "joining $server …"
  # join trades the token for this node's credential, then keeps running as
  # the agent: stop it once the credential is stored, and let systemd run it.
  log="$(mktemp)"
  # shellcheck disable=SC2086 # $extra holds separate flags
  /usr/local/bin/kubeflare-agent join --server "$server" --token "$token" --state-dir /var/lib/kubeflare-agent $extra >"$log" 2>&1 &
  joiner=$!
  waited=0
  until [ -s "$state_dir/node-credential.json" ]; do
    if ! kill -0 "$joiner" 2>/dev/null; then fail "join failed: $(tail -n 1 "$log")"; fi
    [ "$waited" -lt 120 ] || { kill "$joiner"; fail "join did not finish within 60 s: $(tail -n 1 "$log")"; }
    sleep 0.5; waited=$((waited + 1))
  done
  kill -TERM "$joiner" 2>/dev/null || true
  wait "$joiner" 2>/dev/null || true
  rm -f "$log"
elif [ -z "$token" ] && [ -z "$root" ] && [ ! -e "$state_dir/node-credential.json" ]; then
  fail "--token is required on first install (a join token from: kubeflare token create-join)"
fi

umask 077
cat > "$etc_dir/agent.env" <<ENV
# Read by kubeflare-agent.service. The node credential is in /var/lib/kubeflare-agent.
KUBEFLARE_SERVER=$server
KUBEFLARE_AGENT_ARGS=$extra
ENV
umask 022

unit_source="$here/kubeflare-agent.service"
[ -f "$unit_source" ] || unit_source="$(npm root -g 2>/dev/null)/@kubeflare/agent/packaging/kubeflare-agent.service"
[ -f "$unit_source" ] || fail "kubeflare-agent.service not found next to install.sh or in the npm package"
cp "$unit_source" "$unit_dir/kubeflare-agent.service"

if [ -z "$root" ]; then
  systemctl daemon-reload
  systemctl enable --now kubeflare-agent.service
  step "kubeflare-agent is running: journalctl -u kubeflare-agent -f; kubectl get nodes shows it within seconds"
else
  step "wrote $unit_dir/kubeflare-agent.service and $etc_dir/agent.env under $root"
fi
