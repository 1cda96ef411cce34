// One streaming gzip function, three encoders:
//  - the platform's CompressionStream('gzip') by default: native zlib, off the main thread;
//  - a native zlib stream the runtime hands in (`native`: Node's, with larger buffers, same bytes);
//  - fflate when a level is configured or CompressionStream is missing.
// All produce deterministic bytes for the same input: zlib writes mtime 0; fflate's header mtime is
// zeroed here (it would otherwise stamp the current time), so re-exports are byte-identical.
import { Gzip } from 'fflate';

export interface GzipOptions {
  /** 0-9: forces the fflate encoder at this level */
  level?: number;
  /**
   * The platform's zlib with the same settings as CompressionStream('gzip') (so the same bytes), where
   * it can be given larger buffers: the Node edge passes one (lib/server/node-gzip.ts).
   */
  native?: () => TransformStream<Uint8Array, Uint8Array>;
}

export type GzipEncoder = 'native' | 'fflate';

export function chooseEncoder(opts: GzipOptions = {}): GzipEncoder {
  return opts.level === undefined && (opts.native !== undefined || typeof CompressionStream !== 'undefined') ? 'native' : 'fflate';
}

function fflateTransform(level: number): TransformStream<Uint8Array, Uint8Array> {
  let gz: Gzip;
  let first = true;
  return new TransformStream<Uint8Array, Uint8Array>({
    start(controller) {
      gz = new Gzip({ level: level as 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9, mem: 8 }, (chunk) => {
        if (first && chunk.length >= 8) {
          chunk[4] = chunk[5] = chunk[6] = chunk[7] = 0; // MTIME = 0
          first = false;
        }
        controller.enqueue(chunk);
      });
    },
    transform(chunk) {
      gz.push(chunk, false);
    },
    flush() {
      gz.push(new Uint8Array(0), true);
    },
  });
}

/** A gzip TransformStream with the encoder the options choose. */
export function gzipStream(opts: GzipOptions = {}): TransformStream<Uint8Array, Uint8Array> {
  if (chooseEncoder(opts) === 'native') return opts.native?.() ?? (new CompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>);
  return fflateTransform(opts.level ?? 6);
}
