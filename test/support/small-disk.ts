// A small disk of its own for the disk-full cases: a tmpfs mounted for the test (the suite runs as root,
// as CI does), filled with a ballast file to leave a chosen amount free, emptied again to free it.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SmallDisk {
  dir: string;
  freeMb(): number;
  /** fills the disk until `mb` megabytes are left */
  fillTo(mb: number): void;
  /** removes the ballast */
  free(): void;
  unmount(): void;
}

export function mountSmallDisk(sizeMb: number): SmallDisk {
  const dir = mkdtempSync(join(tmpdir(), 'spillway-small-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (e) {
    throw new Error(`mounting a ${sizeMb} MB tmpfs needs root (as CI runs): ${(e as { stderr?: Buffer }).stderr ?? e}`);
  }
  const ballast = join(dir, 'ballast');
  const freeBytes = () => {
    const fs = statfsSync(dir);
    return fs.bavail * fs.bsize;
  };
  return {
    dir,
    freeMb: () => freeBytes() / 1024 ** 2,
    fillTo(mb) {
      // in steps, each checked against what is free then: the file system's own accounting decides
      const fd = openSync(ballast, 'a');
      try {
        for (let left = freeBytes() - mb * 1024 ** 2; left > 4096; left = freeBytes() - mb * 1024 ** 2) {
          writeSync(fd, new Uint8Array(Math.min(left, 1 << 20) & ~4095));
        }
      } finally {
        closeSync(fd);
      }
    },
    free: () => rmSync(ballast, { force: true }),
    unmount() {
      execFileSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
