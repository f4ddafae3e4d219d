#!/usr/bin/env bash
# scripts/rgw-up.sh DIR [PORT]
# Bring up a throwaway single-node Ceph cluster (1 mon, 1 memstore OSD, no mgr)
# plus radosgw (beast) on 127.0.0.1:PORT, with an S3 user and a bucket whose CORS
# configuration allows any origin to PUT/GET/HEAD with any header and exposes ETag
# (the browser engine must read each part's ETag).
# Used by test/setup/rgw.ts (Vitest globalSetup) and by hand for the playground.
# Everything (conf, data, logs, run files, pids) lives under DIR.
# Idempotent: if DIR already hosts a running cluster that answers on PORT, it
# just prints the env line again. Needs root (apt + daemons).
#
# Env overrides: S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_BUCKET,
#   MON_PORT (default PORT+1), OBJECTSTORE (memstore|bluestore, default memstore),
#   MEMSTORE_BYTES (reported capacity, default 8 GiB), SKIP_APT=1
#   (set SKIP_APT=1 when the Ceph packages are known to be installed; otherwise a
#   missing package is apt-installed, which needs root, as CI is)
# Gotchas solved here (do not remove): `ms mon client mode = crc secure` (else
# radosgw hangs with auth none), `paxos propose interval = 0.1` (else each pool
# creation takes ~9 s), curl --aws-sigv4 needs an explicit x-amz-content-sha256
# header, PutBucketCors needs Content-MD5, and curl 7.88 signs a bare `?cors`
# query wrongly (SignatureDoesNotMatch): write it `?cors=`.
# On success prints exactly one line on stdout:
#   S3_ENDPOINT=http://127.0.0.1:PORT S3_ACCESS_KEY_ID=... S3_SECRET_ACCESS_KEY=... S3_BUCKET=...
set -euo pipefail

DIR=${1:?usage: rgw-up.sh DIR [PORT]}
PORT=${2:-7480}
MON_PORT=${MON_PORT:-$((PORT + 1))}
AK=${S3_ACCESS_KEY_ID:-TESTACCESSKEY0000001}
SK=${S3_SECRET_ACCESS_KEY:-testsecretkey000000000000000000000000001}
BUCKET=${S3_BUCKET:-test-bucket}
OBJECTSTORE=${OBJECTSTORE:-memstore}
MEMSTORE_BYTES=${MEMSTORE_BYTES:-$((8 * 1024 * 1024 * 1024))}
T0=$(date +%s.%N)

log() { echo "[rgw-up $(date +%T)] $*" >&2; }
die() { log "ERROR: $*"; for f in "$DIR"/log/*.log; do [ -f "$f" ] && { echo "--- tail $f" >&2; tail -n 15 "$f" >&2; }; done; exit 1; }
elapsed() { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1fs", b-a}'; }

# ---------- packages ----------
if [ "${SKIP_APT:-0}" != 1 ]; then
  need=()
  for p in ceph-mon ceph-osd radosgw ceph-common; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
  done
  command -v curl >/dev/null || need+=(curl)
  command -v uuidgen >/dev/null || need+=(uuid-runtime)
  command -v openssl >/dev/null || need+=(openssl)
  if [ ${#need[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "missing packages ${need[*]}; run as root (or install them first)"
    log "apt-get install ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends "${need[@]}" >&2 \
      || { apt-get update >&2 && apt-get install -y --no-install-recommends "${need[@]}" >&2; }
  fi
fi

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
CONF=$DIR/ceph.conf
export CEPH_CONF=$CONF
CEPH=(ceph -c "$CONF" --connect-timeout 10)
ENVLINE="S3_ENDPOINT=http://127.0.0.1:$PORT S3_ACCESS_KEY_ID=$AK S3_SECRET_ACCESS_KEY=$SK S3_BUCKET=$BUCKET"

alive() { [ -f "$DIR/run/$1.pid" ] && kill -0 "$(cat "$DIR/run/$1.pid")" 2>/dev/null; }

s3() { # s3 METHOD PATH  -> prints http status
  curl -s -o /dev/null -w '%{http_code}' -X "$1" --max-time 10 \
    -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
    --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AK:$SK" "http://127.0.0.1:$PORT$2"
}

# ---------- already up? ----------
if [ -f "$CONF" ] && alive mon.a && alive osd.0 && alive client.rgw.a; then
  if [ "$(s3 HEAD "/$BUCKET")" = 200 ]; then
    log "already running"
    echo "$ENVLINE"; exit 0
  fi
fi
# stale/partial state: stop what we recorded (only if it is really our ceph daemon), start fresh
if [ -d "$DIR/run" ]; then
  for f in "$DIR"/run/*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null && grep -qE 'ceph-mon|ceph-osd|radosgw' "/proc/$pid/cmdline" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null || true
      for _ in $(seq 50); do [ "$(awk '{print $3}' /proc/$pid/stat 2>/dev/null)" = "" ] || [ "$(awk '{print $3}' /proc/$pid/stat 2>/dev/null)" = Z ] && break; sleep 0.1; done
    fi
  done
fi
for p in "$PORT" "$MON_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then die "port $p on 127.0.0.1 is already in use"; fi
done
rm -rf "$DIR/mon" "$DIR/osd" "$DIR/run" "$DIR/log" "$DIR/rgw" "$DIR/monmap" "$DIR/keyring" "$CONF"
mkdir -p "$DIR/mon/a" "$DIR/osd/0" "$DIR/run" "$DIR/log" "$DIR/rgw" "$DIR/crash"

FSID=$(uuidgen)
cat > "$CONF" <<EOF
[global]
fsid = $FSID
mon host = v2:127.0.0.1:$MON_PORT
ms bind msgr1 = false
ms bind ipv6 = false
public addr = 127.0.0.1
cluster addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = true
# radosgw forces ms_mon_client_mode=secure by default, impossible with auth=none
ms mon client mode = crc secure
client mount timeout = 30
run dir = $DIR/run
crash dir = $DIR/crash
admin socket = $DIR/run/\$name.asok
pid file = $DIR/run/\$name.pid
log file = $DIR/log/\$name.log
log to stderr = false
err to stderr = true
keyring = $DIR/keyring
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
# faster map commits (pool creation by rgw is ~1 paxos round each)
paxos propose interval = 0.1
mon max pg per osd = 1000
mon warn on pool no redundancy = false
mon data avail warn = 1
mon data avail crit = 0
mon osd full ratio = 0.99
mon osd nearfull ratio = 0.98
mon osd backfillfull ratio = 0.985
osd crush update on start = true

[mon]
mon data = $DIR/mon/\$id
mon cluster log file = $DIR/log/cluster.log

[osd]
osd data = $DIR/osd/\$id
osd objectstore = $OBJECTSTORE
memstore device bytes = $MEMSTORE_BYTES
bluestore block path = $DIR/osd/\$id/block.file
bluestore block size = 10737418240
bluestore block create = true
bluestore fsck on mkfs = false
bluestore cache autotune = false
bluestore cache size = 134217728
osd memory target = 939524096
osd op num shards = 2
osd op num threads per shard = 2

[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$PORT
rgw data = $DIR/rgw
rgw enable usage log = false
rgw thread pool size = 64
EOF

# keyring (unused with auth=none, but mkfs wants one)
ceph-authtool --create-keyring "$DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool "$DIR/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' \
  --cap mgr 'allow *' --cap mds 'allow *' >/dev/null

# ---------- mon ----------
monmaptool --create --fsid "$FSID" --addv a "[v2:127.0.0.1:$MON_PORT]" "$DIR/monmap" >/dev/null
ceph-mon -c "$CONF" -i a --mkfs --monmap "$DIR/monmap" --keyring "$DIR/keyring" >/dev/null 2>"$DIR/log/mkfs-mon.err" \
  || die "ceph-mon --mkfs failed: $(cat "$DIR/log/mkfs-mon.err")"
ceph-mon -c "$CONF" -i a 2>"$DIR/log/mon.a.err" || die "ceph-mon start failed"
for i in $(seq 100); do "${CEPH[@]}" mon stat >/dev/null 2>&1 && break; sleep 0.2; [ "$i" = 100 ] && die "mon not reachable"; done
log "mon up ($(elapsed))"

# ---------- osd ----------
OSD_UUID=$(uuidgen)
OSD_ID=$("${CEPH[@]}" osd new "$OSD_UUID")
[ "$OSD_ID" = 0 ] || die "unexpected osd id $OSD_ID"
ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$OSD_UUID" >/dev/null 2>"$DIR/log/mkfs-osd.err" \
  || die "ceph-osd --mkfs failed: $(tail -5 "$DIR/log/mkfs-osd.err")"
ceph-osd -c "$CONF" -i 0 2>"$DIR/log/osd.0.err" || die "ceph-osd start failed"
for i in $(seq 150); do
  "${CEPH[@]}" osd dump 2>/dev/null | grep -q '^osd.0 up' && break
  sleep 0.2; [ "$i" = 150 ] && die "osd.0 did not come up"
done
log "osd up ($(elapsed))"

# ---------- rgw ----------
radosgw -c "$CONF" -n client.rgw.a 2>"$DIR/log/rgw.err" || die "radosgw start failed"
for i in $(seq 300); do
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$PORT/" || true)
  [ "$code" != 000 ] && break
  alive client.rgw.a || [ "$i" -lt 10 ] || die "radosgw died"
  sleep 0.2; [ "$i" = 300 ] && die "radosgw not answering on $PORT"
done
log "rgw up ($(elapsed))"

radosgw-admin -c "$CONF" user create --uid=tester --display-name=tester \
  --access-key="$AK" --secret-key="$SK" >"$DIR/log/user.json" 2>"$DIR/log/user.err" \
  || die "radosgw-admin user create failed: $(tail -3 "$DIR/log/user.err")"

for i in $(seq 50); do
  c=$(s3 PUT "/$BUCKET"); [ "$c" = 200 ] && break
  sleep 0.2; [ "$i" = 50 ] && die "bucket create returned $c"
done
[ "$(s3 HEAD "/$BUCKET")" = 200 ] || die "bucket not usable"

# ---------- bucket CORS (browser uploads need ETag exposed) ----------
CORS_XML='<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PUT</AllowedMethod><AllowedMethod>GET</AllowedMethod><AllowedMethod>HEAD</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule></CORSConfiguration>'
printf '%s' "$CORS_XML" >"$DIR/cors.xml"
CORS_MD5=$(openssl dgst -md5 -binary "$DIR/cors.xml" | openssl base64 -A)
CORS_SHA=$(openssl dgst -sha256 -r "$DIR/cors.xml" | cut -d' ' -f1)
code=$(curl -s -o "$DIR/log/cors.out" -w '%{http_code}' -X PUT --max-time 10 \
  -H "Content-MD5: $CORS_MD5" -H "x-amz-content-sha256: $CORS_SHA" -H 'Content-Type: application/xml' \
  --data-binary "@$DIR/cors.xml" \
  --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AK:$SK" "http://127.0.0.1:$PORT/$BUCKET?cors=")
[ "$code" = 200 ] || die "PutBucketCors returned $code: $(cat "$DIR/log/cors.out")"
# a preflight must now succeed and allow PUT
pre=$(curl -s -o /dev/null -D - --max-time 10 -X OPTIONS -H 'Origin: http://example.test' \
  -H 'Access-Control-Request-Method: PUT' -H 'Access-Control-Request-Headers: content-md5' \
  "http://127.0.0.1:$PORT/$BUCKET/probe" | tr -d '\r')
grep -qi '^access-control-allow-methods:.*PUT' <<<"$pre" || die "CORS preflight not allowed: $pre"
log "bucket $BUCKET ready ($(elapsed)); pids: $(cat "$DIR"/run/*.pid | tr '\n' ' ')"
echo "$ENVLINE" | tee "$DIR/env"
