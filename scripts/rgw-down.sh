#!/usr/bin/env bash
# scripts/rgw-down.sh DIR [--kill] [--purge]
# Stop the daemons started by scripts/rgw-up.sh DIR, using only the PIDs recorded
# in DIR/run/*.pid (and only if that PID really is a ceph-mon/ceph-osd/radosgw).
# Default: SIGTERM radosgw, then osd, then mon, one after the other (~0.5 s;
# SIGKILL after 8 s each). --kill: SIGKILL all at once (~0.1 s; the cluster is
# throwaway). --purge: also delete DIR. Zombies count as gone (PID 1 in some
# containers reaps only every ~2 s).
set -uo pipefail
DIR=${1:?usage: rgw-down.sh DIR [--purge] [--kill]}
shift
PURGE=0; GRACEFUL=1
for a in "$@"; do case $a in --purge) PURGE=1;; --kill) GRACEFUL=0;; *) echo "unknown arg $a" >&2; exit 2;; esac; done

ourpid() { # ourpid NAME -> echo pid if DIR/run/NAME.pid names a live ceph daemon
  local f=$DIR/run/$1.pid pid
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  running "$pid" && grep -qE 'ceph-mon|ceph-osd|radosgw' "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
}
running() { # true if PID exists and is not a zombie (pid 1 may reap late)
  local st; st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "$st" != Z ]
}
waitgone() { # waitgone SECONDS PID...
  local n=$(( $1 * 10 )) p left; shift
  for _ in $(seq "$n"); do
    left=0; for p in "$@"; do running "$p" && left=1; done
    [ $left = 0 ] && return 0; sleep 0.1
  done
  return 1
}

if [ -d "$DIR/run" ]; then
  if [ $GRACEFUL = 1 ]; then
    for name in client.rgw.a osd.0 mon.a; do
      pid=$(ourpid "$name") || continue
      kill -TERM "$pid"
      waitgone 8 "$pid" || { echo "SIGKILL $name ($pid)" >&2; kill -KILL "$pid" 2>/dev/null; }
    done
  else
    pids=()
    for name in client.rgw.a osd.0 mon.a; do pid=$(ourpid "$name") && pids+=("$pid"); done
    [ ${#pids[@]} -gt 0 ] && { kill -KILL "${pids[@]}" 2>/dev/null; waitgone 5 "${pids[@]}"; }
  fi
  rm -f "$DIR"/run/*.pid
fi
[ $PURGE = 1 ] && rm -rf "$DIR"
exit 0
