/**
 * Buffers of COPY data that finished requests gave back (EventScanner.release): a new buffer of
 * megabytes per request is what made V8 mark the whole heap every few requests (it counts
 * ArrayBuffer memory as external memory pressure).
 */
const spareBuffers: Buffer[] = [];
const SPARE_BUFFERS = 4;
const SPARE_BUFFER_MAX_BYTES = 32 * 1024 * 1024;

/** A buffer of at least `size` bytes: the smallest spare one that fits, else a new one. */
export function takeCopyBuffer(size: number): Buffer {
  let spare = -1;
  for (let k = 0; k < spareBuffers.length; k++) {
    const length = spareBuffers[k].length;
    if (length >= size && (spare < 0 || length < spareBuffers[spare].length)) spare = k;
  }
  return spare >= 0 ? spareBuffers.splice(spare, 1)[0] : Buffer.allocUnsafe(size);
}

/** Gives buffers nothing reads or sends any more to the next requests (as many as are kept). */
export function giveBackCopyBuffers(buffers: readonly Buffer[]): void {
  for (const buffer of buffers) {
    if (spareBuffers.length >= SPARE_BUFFERS || buffer.length > SPARE_BUFFER_MAX_BYTES) break;
    spareBuffers.push(buffer);
  }
}
