#!/bin/bash
# Stop the daemons started by up.sh (by their pid files only).
B=${CEPH_BASE:-/tmp/spillway-ceph}
for p in client.rgw.a osd.0 mon.a; do
  f=$B/run/$p.pid; [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null && echo "killed $p $(cat "$f")"
done
sleep 1
for p in client.rgw.a osd.0 mon.a; do f=$B/run/$p.pid; [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && kill -9 "$(cat "$f")"; done; true
