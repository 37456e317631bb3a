#!/usr/bin/env bash
# A throw-away 3-node NATS JetStream cluster on loopback, for tests and benchmarks. It never touches a
# NATS already running on this machine (e.g. on 4222): its own ports and store dirs under DIR.
#
#   nats-cluster.sh start DIR [PORT_BASE]   clients PORT_BASE+1..3, routes +11..13, monitoring +21..23
#   nats-cluster.sh kill DIR N              SIGKILL node N (1-3): a crash, no graceful leadership hand-off
#   nats-cluster.sh restart DIR N           start node N again with its store (after kill)
#   nats-cluster.sh stop DIR                stop every node and remove DIR
#
# `start` prints the client URL list (nats://127.0.0.1:p1,…) once JetStream has a meta leader.
# NATS_SERVER overrides the binary (default: nats-server on PATH, or /usr/sbin/nats-server from Debian).
set -euo pipefail
CMD=${1:?start|kill|restart|stop}
DIR=${2:?DIR}
BIN=${NATS_SERVER:-$(command -v nats-server || echo /usr/sbin/nats-server)}

node_start() {
  local i=$1 d="$DIR/n$1"
  # Detached from this script (setsid) so that the caller may wait for the script alone.
  setsid "$BIN" -c "$d/n.conf" >>"$d/out.log" 2>&1 </dev/null &
  echo $! >"$d/pid"
}

wait_for() {
  local what=$1; shift
  for _ in $(seq 1 150); do if "$@" >/dev/null 2>&1; then return 0; fi; sleep 0.1; done
  echo "nats-cluster: timeout waiting for $what" >&2; return 1
}

case "$CMD" in
  start)
    BASE=${3:-14220}
    mkdir -p "$DIR"
    ROUTES="nats-route://127.0.0.1:$((BASE + 11)), nats-route://127.0.0.1:$((BASE + 12)), nats-route://127.0.0.1:$((BASE + 13))"
    for i in 1 2 3; do
      d="$DIR/n$i"; mkdir -p "$d/store"
      # Small memory limits: the machine is shared; streams here are file-backed.
      cat >"$d/n.conf" <<CONF
server_name: n$i
listen: 127.0.0.1:$((BASE + i))
http: 127.0.0.1:$((BASE + 20 + i))
jetstream { store_dir: "$d/store", max_memory_store: 64MB, max_file_store: 2GB }
cluster { name: touchpoint-test, listen: 127.0.0.1:$((BASE + 10 + i)), routes: [$ROUTES] }
CONF
      echo "$BASE" >"$DIR/port-base"
      node_start "$i"
    done
    for i in 1 2 3; do
      wait_for "node $i meta leader" bash -c "curl -sf http://127.0.0.1:$((BASE + 20 + i))/jsz | grep -q '\"leader\"'"
    done
    echo "nats://127.0.0.1:$((BASE + 1)),nats://127.0.0.1:$((BASE + 2)),nats://127.0.0.1:$((BASE + 3))"
    ;;
  kill)
    N=${3:?node 1-3}; kill -9 "$(cat "$DIR/n$N/pid")" 2>/dev/null || true
    ;;
  restart)
    N=${3:?node 1-3}; BASE=$(cat "$DIR/port-base"); node_start "$N"
    wait_for "node $N" curl -sf "http://127.0.0.1:$((BASE + 20 + N))/healthz"
    ;;
  stop)
    for f in "$DIR"/n*/pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
    for f in "$DIR"/n*/pid; do
      [ -f "$f" ] || continue
      for _ in $(seq 1 100); do kill -0 "$(cat "$f")" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$(cat "$f")" 2>/dev/null || true
    done
    rm -rf "$DIR"
    ;;
  *) echo "usage: $0 start|kill|restart|stop DIR [...]" >&2; exit 2 ;;
esac
