#!/bin/bash
# Minimal single-node Ceph Pacific (Debian bookworm packages): 1 mon + 1 memstore OSD + radosgw,
# all on 127.0.0.1, no systemd, no mgr. Run as root.
#   apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd
# env: CEPH_BASE (state dir), RGW_PORT (default 7480), RGW_API_NAME (e.g. us-east-1; default zonegroup api name is "default")
# writes $CEPH_BASE/s3.env (endpoint, two users, KMS key ids). Stop with down.sh (kills by pid files).
set -euo pipefail
B=${CEPH_BASE:-/tmp/spillway-ceph}
RGW_PORT=${RGW_PORT:-7480}
T0=$(date +%s%N)
ts() { echo "[$(( ($(date +%s%N)-T0)/1000000 )) ms] $*"; }
# stop daemons left by an earlier run of this script (by their pid files only)
for f in "$B"/run/client.rgw.a.pid "$B"/run/osd.0.pid "$B"/run/mon.a.pid; do
  [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null && sleep 1 || true
done
for port in 3300 6789 "$RGW_PORT"; do
  for i in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null || break; sleep 0.2; done
  if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then echo "port $port already in use on 127.0.0.1" >&2; exit 1; fi
done
rm -rf "$B"; mkdir -p "$B"/{mon.a,osd.0,log,run,rgw}
FSID=$(uuidgen)
CONF=$B/ceph.conf
cat > "$CONF" <<EOF
[global]
fsid = $FSID
mon host = [v2:127.0.0.1:3300,v1:127.0.0.1:6789]
public addr = 127.0.0.1
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = $B/keyring
run dir = $B/run
pid file = $B/run/\$name.pid
admin socket = $B/run/\$name.asok
log file = $B/log/\$name.log
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
mon max pg per osd = 1000
ms bind ipv6 = false
[mon]
mon data = $B/mon.\$id
mon cluster log file = $B/log/cluster.log
[osd]
osd data = $B/osd.\$id
keyring = $B/osd.\$id/keyring
osd objectstore = memstore
memstore device bytes = 2147483648
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw data = $B/rgw
rgw crypt s3 kms backend = testing
rgw crypt s3 kms encryption keys = testkey-1=YmluCmJvb3N0CmJvb3N0LWJ1aWxkCmNlcGguY29uZgo= testkey-2=aWIKTWFrZWZpbGUKbWFuCm91dApzcmMKVGVzdGluZwo=
rgw crypt require ssl = false
rgw sts key = abcdefghijklmnop
rgw s3 auth use sts = true
rgw enable apis = s3, s3website, swift, swift_auth, admin, sts, iam, notifications
EOF
ceph-authtool --create-keyring "$B/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool "$B/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' --cap mds 'allow *' >/dev/null
ceph-authtool "$B/keyring" --gen-key -n client.rgw.a --cap mon 'allow rw' --cap osd 'allow rwx' --cap mgr 'allow rw' >/dev/null
monmaptool --create --clobber --fsid "$FSID" --addv a '[v2:127.0.0.1:3300,v1:127.0.0.1:6789]' "$B/monmap" >/dev/null
ceph-mon -c "$CONF" --mkfs -i a --monmap "$B/monmap" --keyring "$B/keyring"
ts "mon mkfs done"
ceph-mon -c "$CONF" -i a
C="ceph -c $CONF --connect-timeout 30"
$C mon stat >/dev/null
ts "mon up (pid $(cat $B/run/mon.a.pid))"

OSD_UUID=$(uuidgen); OSD_SECRET=$(ceph-authtool --gen-print-key)
OSD_ID=$(echo "{\"cephx_secret\": \"$OSD_SECRET\"}" | $C osd new "$OSD_UUID" -i -)
printf '[osd.%s]\n\tkey = %s\n' "$OSD_ID" "$OSD_SECRET" > "$B/osd.$OSD_ID/keyring"
ceph-osd -c "$CONF" -i "$OSD_ID" --mkfs --key "$OSD_SECRET" --osd-uuid "$OSD_UUID" 2>&1 | tail -2
ts "osd mkfs done"
ceph-osd -c "$CONF" -i "$OSD_ID"
for i in $(seq 1 120); do
  $C osd stat 2>/dev/null | grep -q "1 up" && break; sleep 0.5
done
ts "osd.$OSD_ID up: $($C osd stat)"

start_rgw() {
  radosgw -c "$CONF" -n client.rgw.a --keyring "$B/keyring"
  for i in $(seq 1 600); do
    curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$RGW_PORT/" 2>/dev/null | grep -q 200 && return 0; sleep 0.2
  done
  ts "radosgw NOT ready"; tail -30 "$B/log/client.rgw.a.log"; exit 1
}
start_rgw
if [ -n "${RGW_API_NAME:-}" ]; then  # e.g. us-east-1: GetBucketLocation then returns it instead of "default"
  radosgw-admin -c "$CONF" -n client.admin zonegroup modify --rgw-zonegroup=default --api-name="$RGW_API_NAME" >/dev/null
  pid=$(cat "$B/run/client.rgw.a.pid"); kill "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done   # wait for the process (and its pid-file lock), not just the port
  start_rgw
  ts "zonegroup api_name=$RGW_API_NAME, radosgw restarted"
fi
ts "radosgw ready on 127.0.0.1:$RGW_PORT (pid $(cat $B/run/client.rgw.a.pid))"

RA="radosgw-admin -c $CONF -n client.admin"
$RA user create --uid=user1 --display-name=user1 --access-key=USER1ACCESSKEY000000 --secret-key=user1secretkey0000000000000000000000000 >/dev/null
$RA user create --uid=user2 --display-name=user2 --access-key=USER2ACCESSKEY000000 --secret-key=user2secretkey0000000000000000000000000 >/dev/null
$RA caps add --uid=user1 --caps="roles=*;user-policy=*" >/dev/null
ts "users created"
cat > "$B/s3.env" <<EOF
S3_ENDPOINT=http://127.0.0.1:$RGW_PORT
S3_REGION=us-east-1
S3_USER1_ACCESS_KEY=USER1ACCESSKEY000000
S3_USER1_SECRET_KEY=user1secretkey0000000000000000000000000
S3_USER1_ARN=arn:aws:iam:::user/user1
S3_USER2_ACCESS_KEY=USER2ACCESSKEY000000
S3_USER2_SECRET_KEY=user2secretkey0000000000000000000000000
S3_USER2_ARN=arn:aws:iam:::user/user2
S3_KMS_KEY_ID=testkey-1
S3_KMS_KEY_ID_2=testkey-2
EOF
ts "wrote $B/s3.env"
for p in mon.a osd.0 client.rgw.a; do echo "  $p pid=$(cat $B/run/$p.pid) rss_kb=$(ps -o rss= -p $(cat $B/run/$p.pid))"; done
