// Node's zlib as the export's gzip encoder: the same deflate settings as CompressionStream('gzip'), so
// the same bytes, with 1 MB output buffers. CompressionStream's zlib hands back 16 KB at a time, each a
// callback on the main thread: while that thread builds lines, compression waits for it, and the two
// cores take turns instead of working together.
import { Duplex } from 'node:stream';
import { createGzip } from 'node:zlib';

export const nodeGzipStream = () => Duplex.toWeb(createGzip({ chunkSize: 1 << 20 })) as unknown as TransformStream<Uint8Array, Uint8Array>;
