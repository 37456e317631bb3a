#!/usr/bin/env bash
# Two throw-away ClickHouse servers on loopback (Debian's clickhouse-server, 18.16 or later) forming one
# cluster of two shards, for tests and benchmarks. No ZooKeeper: the tables are plain MergeTree, one
# copy per shard, under a Distributed table sharded by a hash of the unit id.
#
#   clickhouse.sh start DIR [PORT_BASE]   node i: HTTP PORT_BASE+i*10+1, native +2, interserver +3
#   clickhouse.sh stop DIR                stop both and remove DIR
#
# `start` prints the HTTP URL of node 1 once both answer; the cluster is named `touchpoint_test`.
set -euo pipefail
CMD=${1:?start|stop}
DIR=${2:?DIR}
BIN=${CLICKHOUSE_SERVER:-$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)}

case "$CMD" in
  start)
    BASE=${3:-18100}
    mkdir -p "$DIR"
    cat >"$DIR/users.xml" <<X
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage><max_threads>2</max_threads></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
X
    for i in 1 2; do
      d="$DIR/ch$i"; mkdir -p "$d/data" "$d/tmp" "$d/user_files" "$d/log"
      # Small caches: the machine is shared.
      cat >"$d/config.xml" <<X
<yandex>
  <logger><level>warning</level><log>$d/log/server.log</log><errorlog>$d/log/err.log</errorlog></logger>
  <http_port>$((BASE + i * 10 + 1))</http_port><tcp_port>$((BASE + i * 10 + 2))</tcp_port>
  <interserver_http_port>$((BASE + i * 10 + 3))</interserver_http_port><interserver_http_host>127.0.0.1</interserver_http_host>
  <listen_host>127.0.0.1</listen_host>
  <path>$d/data/</path><tmp_path>$d/tmp/</tmp_path><user_files_path>$d/user_files/</user_files_path>
  <users_config>$DIR/users.xml</users_config><default_profile>default</default_profile><default_database>default</default_database>
  <timezone>UTC</timezone><mark_cache_size>67108864</mark_cache_size><uncompressed_cache_size>0</uncompressed_cache_size>
  <remote_servers><touchpoint_test>
    <shard><replica><host>127.0.0.1</host><port>$((BASE + 12))</port></replica></shard>
    <shard><replica><host>127.0.0.1</host><port>$((BASE + 22))</port></replica></shard>
  </touchpoint_test></remote_servers>
</yandex>
X
      setsid "$BIN" --config-file="$d/config.xml" >"$d/log/stdout" 2>&1 </dev/null &
      echo $! >"$d/pid"
    done
    for i in 1 2; do
      for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$((BASE + i * 10 + 1))/ping" >/dev/null 2>&1 && break; sleep 0.1; done
      curl -sf "http://127.0.0.1:$((BASE + i * 10 + 1))/ping" >/dev/null || { echo "clickhouse: node $i did not start (see $DIR/ch$i/log)" >&2; exit 1; }
    done
    echo "http://127.0.0.1:$((BASE + 11))"
    ;;
  stop)
    for f in "$DIR"/ch*/pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
    for f in "$DIR"/ch*/pid; do
      [ -f "$f" ] || continue
      for _ in $(seq 1 150); do kill -0 "$(cat "$f")" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$(cat "$f")" 2>/dev/null || true
    done
    rm -rf "$DIR"
    ;;
  *) echo "usage: $0 start|stop DIR [PORT_BASE]" >&2; exit 2 ;;
esac
