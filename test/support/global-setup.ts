// Starts what the integration tests need when it is not running: radosgw on loopback (from the
// project's copy of the Ceph scripts) and a production build of the app.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CEPH_BASE, rgwEndpointUp } from './rgw';

let startedRgw = false;

export async function setup() {
  if (!(await rgwEndpointUp())) {
    const have = spawnSync('sh', ['-c', 'command -v radosgw && command -v ceph-mon && command -v ceph-osd'], { stdio: 'ignore' }).status === 0;
    if (!have) throw new Error('radosgw is not installed: run `bash scripts/rgw/install-and-up.sh` as root (or `bash .ci/run`)');
    console.log('starting radosgw on 127.0.0.1:7480 …');
    execFileSync('bash', [resolve('scripts/rgw/up.sh')], { env: { ...process.env, CEPH_BASE, RGW_API_NAME: 'us-east-1' }, stdio: 'inherit' });
    startedRgw = true;
  }
  if (!existsSync(resolve('.next/BUILD_ID')) || !existsSync(resolve('.next/spillway/ingest-worker.mjs'))) {
    console.log('building the app for integration tests …');
    execFileSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' });
  }
}

export async function teardown() {
  if (startedRgw && !process.env.KEEP_RGW) execFileSync('bash', [resolve('scripts/rgw/down.sh')], { env: { ...process.env, CEPH_BASE }, stdio: 'inherit' });
}
