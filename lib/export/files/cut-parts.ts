// Streams rows into parts, cutting a new part once a part's uncompressed NDJSON passes `partBytes`
// (always at a line boundary). Each part is encoded as gzip NDJSON (PartWriter, the default) or by
// the encoder given (Parquet: parquet.ts). For gzip, lines are encoded straight into a reusable buffer
// with encodeInto (exact UTF-8 byte counts at native speed); compression runs while the next lines
// are built. Memory holds one compressed part plus one buffer, whatever the hour's size.
import { gzipStream, type GzipOptions } from './gzip';
import { readAll } from '../../util/bytes';
import { yieldToEventLoop } from '../../util/yield';

export interface PartOutput<C> {
  part: number;
  body: Uint8Array;
  events: number;
  rawBytes: number;
  /** position of the last row in this part, to resume after it */
  cursor: C;
}

export interface PartitionOptions<R, C> {
  toLine: (row: R) => string;
  cursorOf: (row: R) => C;
  partBytes: number;
  /** number given to the first part produced (resuming after parts already uploaded) */
  firstPart: number;
  gzip?: GzipOptions;
  /** how a part is encoded; unset, gzip NDJSON */
  encoder?: () => PartEncoder;
}

/** One part being encoded: lines in, the part's bytes out. */
export interface PartEncoder {
  add(line: string): Promise<void>;
  finish(): Promise<Uint8Array>;
  /** the part's NDJSON bytes so far (what the cut is measured in) */
  readonly rawBytes: number;
  readonly events: number;
}

const BUF = 1 << 20;
const POOL = 3;
// a turn of the event loop after this much text: the encoder's callbacks (its next chunk) wait for it,
// so it idles at most one such stretch of line building between its chunks
const YIELD_CHARS = 128 * 1024;

class PartWriter implements PartEncoder {
  private writer: WritableStreamDefaultWriter<Uint8Array>;
  private output: Promise<Uint8Array>;
  private writeError: unknown = null;
  private buf = new Uint8Array(BUF);
  private off = 0;
  private inFlight: { buf: Uint8Array<ArrayBuffer>; done: Promise<void> }[] = [];
  private encoder = new TextEncoder();
  private sinceYield = 0;
  rawBytes = 0;
  events = 0;

  constructor(gzip: GzipOptions | undefined) {
    const ts = gzipStream(gzip);
    this.writer = ts.writable.getWriter();
    this.output = readAll(ts.readable);
  }

  async add(line: string) {
    if (BUF - this.off < line.length * 3 + 1) await this.flush();
    else if ((this.sinceYield += line.length) > YIELD_CHARS) {
      this.sinceYield = 0;
      await yieldToEventLoop();
    }
    let written: number;
    if (line.length * 3 + 1 > BUF) {
      const bytes = this.encoder.encode(line);
      await this.send(bytes);
      this.buf[this.off++] = 10;
      written = bytes.length;
    } else {
      written = this.encoder.encodeInto(line, this.buf.subarray(this.off)).written;
      this.off += written;
      this.buf[this.off++] = 10;
    }
    this.rawBytes += written + 1;
    this.events++;
  }

  /** Hands a chunk to the encoder once it has room; `done` settles when the encoder consumed it. */
  private async send(chunk: Uint8Array): Promise<{ done: Promise<void> }> {
    if (this.writeError) throw this.writeError;
    await this.writer.ready;
    // not awaited (wrapped, so await does not flatten it): compression overlaps building the next chunk
    const done = this.writer.write(chunk).then(
      () => undefined,
      (e) => void (this.writeError ??= e),
    );
    return { done };
  }

  private async flush() {
    if (this.off === 0) return;
    const { done } = await this.send(this.buf.subarray(0, this.off));
    // a turn of the event loop: the encoder's callbacks run and it takes the next chunk while the
    // next lines are built (awaiting promises alone never lets it, and both cores would take turns)
    this.sinceYield = 0;
    await yieldToEventLoop();
    // the encoder holds a chunk until its write settles: buffers are reused only after that, so memory
    // stays at POOL buffers instead of one fresh megabyte per flush waiting for the garbage collector
    this.inFlight.push({ buf: this.buf, done });
    this.off = 0;
    if (this.inFlight.length < POOL) {
      this.buf = new Uint8Array(BUF);
    } else {
      const oldest = this.inFlight.shift()!;
      await oldest.done;
      if (this.writeError) throw this.writeError;
      this.buf = oldest.buf;
    }
  }

  async finish(): Promise<Uint8Array> {
    await this.flush();
    await this.writer.close();
    if (this.writeError) throw this.writeError;
    return this.output;
  }
}

/** Yields finished parts in order; an input with no rows yields nothing. */
export async function* writeParts<R, C>(pages: AsyncIterable<R[]>, opts: PartitionOptions<R, C>): AsyncGenerator<PartOutput<C>> {
  let part = opts.firstPart;
  let w: PartEncoder | null = null;
  let last: R | undefined;
  for await (const rows of pages) {
    for (const row of rows) {
      w ??= opts.encoder ? opts.encoder() : new PartWriter(opts.gzip);
      await w.add(opts.toLine(row));
      last = row;
      if (w.rawBytes >= opts.partBytes) {
        const body = await w.finish();
        yield { part: part++, body, events: w.events, rawBytes: w.rawBytes, cursor: opts.cursorOf(row) };
        w = null;
      }
    }
  }
  if (w && last !== undefined) {
    const body = await w.finish();
    yield { part, body, events: w.events, rawBytes: w.rawBytes, cursor: opts.cursorOf(last) };
  }
}
