#!/bin/bash
# System packages the tests need (Debian, as root): Ceph's radosgw for a real S3, Chromium for e2e, the
# AWS CLI that the "Read the files" snippets are run with, curl and unzip (the Export API's documented client), pigz (a baseline of
# bench:export).
set -euo pipefail
need=()
command -v radosgw >/dev/null || need+=(radosgw)
command -v ceph-mon >/dev/null || need+=(ceph-mon)
command -v ceph-osd >/dev/null || need+=(ceph-osd)
command -v uuidgen >/dev/null || need+=(uuid-runtime)
command -v curl >/dev/null || need+=(curl)
command -v unzip >/dev/null || need+=(unzip)
command -v pigz >/dev/null || need+=(pigz)
[ -x /usr/bin/aws ] || need+=(awscli)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then echo "missing ${need[*]}: run as root, or: sudo apt-get install ${need[*]}" >&2; exit 1; fi
  echo "installing ${need[*]} …"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/tmp/spillway-apt.log 2>&1 || { tail -30 /tmp/spillway-apt.log; exit 1; }
fi
