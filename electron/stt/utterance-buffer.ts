/**
 * The audio of the utterance being decoded, on the stream's timeline (sample indices), and the short pre-roll
 * kept before speech starts. Growable; trimming drops audio from the front.
 */

/** The utterance buffer: samples [start, start + length) of the timeline. */
export class UtteranceBuffer {
  private data: Float32Array<ArrayBuffer>;
  private used = 0;
  private first: number;

  constructor(startSample: number, initialSamples: number) {
    this.first = startSample;
    this.data = new Float32Array(initialSamples);
  }

  /** Timeline index of the first sample held. */
  get start(): number {
    return this.first;
  }

  /** Samples held. */
  get length(): number {
    return this.used;
  }

  /** Timeline index just after the last sample held. */
  get end(): number {
    return this.first + this.used;
  }

  /** Moves an empty buffer to timeline sample `sample`. */
  moveTo(sample: number): void {
    if (this.used > 0) throw new Error('UtteranceBuffer.moveTo on a buffer that holds audio');
    this.first = sample;
  }

  append(pcm: Float32Array): void {
    if (this.used + pcm.length > this.data.length) {
      const grown = new Float32Array(Math.max(this.data.length * 2, this.used + pcm.length));
      grown.set(this.data.subarray(0, this.used));
      this.data = grown;
    }
    this.data.set(pcm, this.used);
    this.used += pcm.length;
  }

  /** Drops the audio before timeline sample `sample`; returns the samples dropped. */
  trimTo(sample: number): number {
    const cut = Math.max(0, Math.min(this.used, sample - this.first));
    if (cut === 0) return 0;
    this.data.copyWithin(0, cut, this.used);
    this.used -= cut;
    this.first += cut;
    return cut;
  }

  /** A copy of the audio up to timeline sample `endSample`, zero-padded to at least `minSamples`. */
  copyUntil(endSample: number, minSamples: number): Float32Array<ArrayBuffer> {
    const length = Math.max(0, Math.min(this.used, endSample - this.first));
    const out = new Float32Array(Math.max(length, minSamples));
    out.set(this.data.subarray(0, length));
    return out;
  }

  /** Empties the buffer (its start moves to its end) and returns its last `tailSamples` samples. */
  clear(tailSamples: number): Float32Array<ArrayBuffer> {
    const keep = Math.min(this.used, tailSamples);
    const tail = this.data.slice(this.used - keep, this.used);
    this.first += this.used;
    this.used = 0;
    return tail;
  }
}

/** The last `maxSamples` samples of `previous` followed by `frame`. */
export function keepTail(previous: Float32Array, frame: Float32Array, maxSamples: number): Float32Array<ArrayBuffer> {
  const total = previous.length + frame.length;
  const out = new Float32Array(Math.min(maxSamples, total));
  const skip = total - out.length;
  if (skip < previous.length) {
    out.set(previous.subarray(skip), 0);
    out.set(frame, previous.length - skip);
  } else {
    out.set(frame.subarray(skip - previous.length), 0);
  }
  return out;
}
