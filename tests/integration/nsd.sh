#!/usr/bin/env bash
# Runs Debian's NSD as our own process on a free loopback port, for tests.
#
#   nsd.sh start DIR ZONEFILE [ZONENAME]   prints the port; NSD_IPV6=1 also listens on [::1]:PORT
#   nsd.sh stop DIR                        stops that NSD (and its children), waits until gone
#   NSD_START_TIMEOUT=SECONDS              how long start waits for the first answer (default 110)
#
# Everything NSD writes (config, pid file, zone list, xfrd state, log) is in DIR.
# ZONENAME defaults to "." (the converted suite scenarios are root zones).
# The zone is checked with nsd-checkzone first; start returns once
# `kdig @127.0.0.1 -p PORT ZONENAME SOA` answers. Only loopback is used.
set -u

die() { echo "nsd.sh: $*" >&2; exit 1; }
PY=/usr/bin/python3

# A port free for both UDP and TCP on 127.0.0.1 (and ::1 with NSD_IPV6=1).
free_port() {
  "$PY" - "${NSD_IPV6:-0}" <<'PY'
import socket, sys
v6 = sys.argv[1] == "1"
for _ in range(50):
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.bind(("127.0.0.1", 0))
    port = t.getsockname()[1]
    socks = [t]
    try:
        for fam, kind, addr in [(socket.AF_INET, socket.SOCK_DGRAM, "127.0.0.1")] + (
                [(socket.AF_INET6, socket.SOCK_STREAM, "::1"), (socket.AF_INET6, socket.SOCK_DGRAM, "::1")] if v6 else []):
            s = socket.socket(fam, kind)
            socks.append(s)
            s.bind((addr, port))
    except OSError:
        continue
    finally:
        for s in socks:
            s.close()
    print(port)
    sys.exit(0)
sys.exit("no free port")
PY
}

# Is PID a live process (not gone, not a zombie)?
alive() {
  local state
  [[ -n "$1" ]] || return 1
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

write_conf() {  # write_conf DIR PORT ZONEFILE ZONENAME WITH_RRL
  local dir=$1 port=$2 zonefile=$3 zonename=$4 rrl=$5
  {
    echo "server:"
    echo "  username: \"\""
    echo "  chroot: \"\""
    echo "  database: \"\""
    echo "  zonesdir: \"$dir\""
    echo "  zonelistfile: \"$dir/zone.list\""
    echo "  xfrdfile: \"$dir/xfrd.state\""
    echo "  xfrdir: \"$dir/xfr\""
    echo "  pidfile: \"$dir/nsd.pid\""
    echo "  logfile: \"$dir/nsd.log\""
    echo "  port: $port"
    echo "  ip-address: 127.0.0.1"
    if [[ "${NSD_IPV6:-0}" == 1 ]]; then echo "  ip-address: ::1"; else echo "  do-ip6: no"; fi
    echo "  verbosity: 0"
    echo "  server-count: 1"
    echo "  hide-version: yes"
    echo "  identity: \"\""
    # By default NSD drops or truncates answers above 200/s per client, which
    # would silently change results and timings.
    [[ "$rrl" == 1 ]] && echo "  rrl-ratelimit: 0"
    echo "remote-control:"
    echo "  control-enable: no"
    echo "zone:"
    echo "  name: \"$zonename\""
    echo "  zonefile: \"$zonefile\""
  } >"$dir/nsd.conf"
}

start() {
  local dir=$1 zonefile=$2 zonename=${3:-.}
  [[ -r "$zonefile" ]] || die "cannot read zone file $zonefile"
  mkdir -p "$dir/xfr" || die "cannot create $dir"
  dir=$(cd "$dir" && pwd)
  zonefile=$(cd "$(dirname "$zonefile")" && pwd)/$(basename "$zonefile")
  if ! nsd-checkzone "$zonename" "$zonefile" >"$dir/checkzone.out" 2>&1; then
    cat "$dir/checkzone.out" >&2
    die "nsd-checkzone rejected $zonefile"
  fi

  # rrl-ratelimit exists only in builds with --enable-ratelimit (Debian's has
  # it); ask nsd-checkconf rather than guess.
  local rrl=1
  write_conf "$dir" 53 "$zonefile" "$zonename" 1
  if ! nsd-checkconf "$dir/nsd.conf" >"$dir/checkconf.out" 2>&1; then
    if grep -qi rrl "$dir/checkconf.out"; then rrl=0; else cat "$dir/checkconf.out" >&2; die "nsd-checkconf rejected the config"; fi
  fi

  local attempt port pid
  for attempt in 1 2 3 4 5; do
    port=$(free_port) || die "no free port"
    write_conf "$dir" "$port" "$zonefile" "$zonename" "$rrl"
    rm -f "$dir/nsd.pid"
    # -d: stay in the foreground (no daemon fork), so $! is NSD's main process.
    nsd -d -c "$dir/nsd.conf" </dev/null >>"$dir/nsd.out" 2>&1 &
    pid=$!
    echo "$pid" >"$dir/nsd.main.pid"
    echo "$port" >"$dir/port"
    # NSD_START_TIMEOUT (seconds, default 110): big zones (bench/scan_million.sh)
    # take a minute or more to load on a busy machine.
    local deadline=$((SECONDS + ${NSD_START_TIMEOUT:-110}))
    while ((SECONDS < deadline)); do
      if ! alive "$pid"; then break; fi
      if [[ -n "$(kdig @127.0.0.1 -p "$port" "$zonename" SOA +short +time=1 +retry=0 2>/dev/null)" ]]; then
        echo "$port"
        return 0
      fi
      sleep 0.1
    done
    # Not up: most likely someone took the port between our check and NSD's bind.
    stop "$dir" >/dev/null 2>&1
    echo "nsd.sh: NSD did not come up on port $port (attempt $attempt):" >&2
    tail -n 5 "$dir/nsd.out" "$dir/nsd.log" >&2 2>/dev/null
  done
  die "NSD would not start; see $dir/nsd.out and $dir/nsd.log"
}

stop() {
  local dir=$1 pids=() p main
  main=$(cat "$dir/nsd.main.pid" 2>/dev/null)
  [[ -n "$main" ]] && pids+=("$main")
  p=$(cat "$dir/nsd.pid" 2>/dev/null)
  [[ -n "$p" && "$p" != "$main" ]] && pids+=("$p")
  # NSD's own processes: the one we started forks "nsd: main", which forks the
  # server process(es); collect the whole tree by parent id (no names).
  local q i=0
  while [[ $i -lt ${#pids[@]} ]]; do
    p=${pids[$i]}
    i=$((i + 1))
    alive "$p" || continue
    for q in $(pgrep -P "$p" 2>/dev/null); do pids+=("$q"); done
  done
  for p in "${pids[@]}"; do alive "$p" && kill -TERM "$p" 2>/dev/null; done
  local any
  # NSD takes about 2 s to shut down; give it 5 before SIGKILL.
  for i in $(seq 1 50); do
    any=0
    for p in "${pids[@]}"; do alive "$p" && any=1; done
    [[ $any == 0 ]] && break
    sleep 0.1
  done
  for p in "${pids[@]}"; do alive "$p" && kill -KILL "$p" 2>/dev/null; done
  rm -f "$dir/nsd.main.pid" "$dir/nsd.pid"
  return 0
}

case "${1:-}" in
  start) [[ $# -ge 3 ]] || die "usage: nsd.sh start DIR ZONEFILE [ZONENAME]"; start "$2" "$3" "${4:-.}" ;;
  stop) [[ $# -eq 2 ]] || die "usage: nsd.sh stop DIR"; stop "$2" ;;
  *) die "usage: nsd.sh start DIR ZONEFILE [ZONENAME] | stop DIR" ;;
esac
