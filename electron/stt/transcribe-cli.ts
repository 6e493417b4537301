/**
 * `npm run transcribe -- <file.wav|file.mp3|-> [--lang ar|en|ru|auto] [--model <path>] [--glossary <file.csv>]
 *   [--translate] [--srt out.srt] [--vtt out.vtt] [--threads 2]`
 *
 * Streams a file through the same worker and pipeline the console uses and prints captions as they come:
 * partial lines overwrite each other on a terminal (and are printed as they come otherwise), final lines stay.
 * WAV (PCM 8/16/24/32-bit or float, any channels, any rate: resampled to 16 kHz); MP3 through `sox` if it can
 * read MP3; `-` reads a WAV from stdin as it arrives (16 kHz is decoded live, so `arecord -f S16_LE -r 16000 -c 1
 * -t wav - | npm run transcribe -- -` captions a microphone; other rates are read to the end, then resampled).
 * Bad input gets one line on stderr and a non-zero exit.
 */
import { execFile } from 'node:child_process';
import { constants, existsSync } from 'node:fs';
import { access, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { GlossaryTerm } from '../common/glossary';
import { isSttCommitRule, STT_COMMIT_RULES, STT_LANGUAGES, type CaptionEvent, type SttSourceLanguage } from '../common/stt-protocol';
import { readGlossaryFile } from '../node/glossary-file';
import { glossaryPromptShortfall } from './prompt';
import { SAMPLE_RATE } from './engine';
import { nodeWorkerSpawner } from './node-worker';
import { SttSupervisor } from './stt-supervisor';
import { captionsToCues, shortTime, toSrt, toVtt } from './subtitles';
import { parseWav, resampleTo16k, WavStreamDecoder } from './wav';

/** The model used without --model. */
const DEFAULT_MODEL = 'models/ggml-base.bin';
const DEFAULT_MODEL_PATH = fileURLToPath(new URL(`../../${DEFAULT_MODEL}`, import.meta.url));

/** Why `path` cannot be written (its folder missing or read-only, a folder in its place), or null. */
async function unwritable(path: string): Promise<string | null> {
  const target = await stat(path).catch(() => null);
  if (target?.isDirectory()) return 'it is a folder';
  try {
    await access(target ? path : dirname(resolve(path)), constants.W_OK);
    return null;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? `the folder ${dirname(resolve(path))} does not exist` : 'it is not writable';
  }
}

function die(message: string, code = 1): never {
  process.stderr.write(`transcribe: ${message}\n`);
  process.exit(code);
}

function audioError(input: string, error: { code: string; message: string }): never {
  const name = input === '-' ? 'stdin' : input;
  if (error.code === 'NOT_WAV') die(`unsupported format: ${name} is not a WAV file (give a WAV, or an MP3 when sox can read MP3)`);
  die(`${name}: ${error.message}`);
}

function noteConversion(channels: number, sampleRate: number): void {
  if (sampleRate !== SAMPLE_RATE || channels !== 1) {
    process.stderr.write(`transcribe: note: ${channels} channel(s) at ${sampleRate} Hz, mixed to mono and resampled to 16000 Hz\n`);
  }
}

/**
 * A WAV on stdin, as 16 kHz mono pieces while it arrives. Reading goes on while the caller waits for a pass, so a
 * live recorder never blocks on a full pipe; at other rates the stream is read to its end and resampled once.
 */
async function* stdinAudio(): AsyncGenerator<Float32Array> {
  if (process.stdin.isTTY) die('stdin is a terminal: pipe a WAV into it, e.g. arecord -f S16_LE -r 16000 -c 1 -t wav - | npm run transcribe -- -', 2);
  const decoder = new WavStreamDecoder();
  const queue: Buffer[] = [];
  let ended = false;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  process.stdin.on('data', (d: Buffer) => (queue.push(d), wake?.()));
  process.stdin.on('end', () => ((ended = true), wake?.()));
  process.stdin.on('error', (e: Error) => ((failure = e), wake?.()));
  let bytes = 0;
  let samples = 0;
  let noted = false;
  const held: Float32Array[] = [];
  for (;;) {
    while (queue.length === 0 && !ended && !failure) await new Promise<void>((r) => (wake = r));
    wake = null;
    if (failure) die(`cannot read stdin: ${(failure as Error).message}`);
    const chunk = queue.shift();
    if (!chunk) break;
    bytes += chunk.length;
    const decoded = decoder.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if (!decoded.ok) audioError('-', decoded.error);
    const format = decoder.format;
    if (format && !noted) {
      noteConversion(format.channels, format.sampleRate);
      noted = true;
    }
    samples += decoded.value.length;
    if (decoded.value.length === 0) continue;
    if (format?.sampleRate === SAMPLE_RATE) yield decoded.value;
    else held.push(decoded.value);
  }
  if (bytes === 0) die('nothing on stdin (expected a WAV stream)');
  const end = decoder.end();
  if (!end.ok) audioError('-', end.error);
  if (samples === 0) die('stdin: the WAV file holds no audio');
  if (held.length > 0) {
    const all = new Float32Array(samples);
    held.reduce((at, piece) => (all.set(piece, at), at + piece.length), 0);
    yield resampleTo16k(all, decoder.format!.sampleRate);
  }
}

function soxToWav(file: string): Promise<Buffer> {
  return new Promise((res, rej) => {
    execFile('sox', [file, '-t', 'wav', '-b', '16', '-c', '1', '-r', String(SAMPLE_RATE), '-'], { encoding: 'buffer', maxBuffer: 1 << 30 }, (err, stdout, stderr) => {
      if (err) rej(new Error((stderr.toString().trim().split('\n').pop() ?? '') || err.message));
      else res(stdout);
    });
  });
}

/** Reads the input as 16 kHz mono Float32, or exits with one clear line. */
async function loadAudio(input: string): Promise<Float32Array> {
  let bytes: Buffer;
  const ext = extname(input).toLowerCase();
  {
    if (!existsSync(input)) die(`no such file: ${input}`);
    if (ext === '.mp3') {
      try {
        bytes = await soxToWav(input);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        die(`cannot decode ${input}: MP3 needs sox with MP3 support (apt-get install sox libsox-fmt-mp3), or convert it to WAV first (${why})`);
      }
    } else {
      try {
        bytes = await readFile(input);
      } catch (err) {
        die(`cannot read ${input}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
  const parsed = parseWav(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  if (!parsed.ok) audioError(input, parsed.error);
  const { sampleRate, channels, samples } = parsed.value;
  if (samples.length === 0) die(`${input}: the WAV file holds no audio`);
  noteConversion(channels, sampleRate);
  return resampleTo16k(samples, sampleRate);
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      allowPositionals: true,
      options: {
        lang: { type: 'string', default: 'auto' },
        model: { type: 'string' },
        glossary: { type: 'string' },
        translate: { type: 'boolean', default: false },
        srt: { type: 'string' },
        vtt: { type: 'string' },
        threads: { type: 'string', default: '2' },
        step: { type: 'string', default: '1' },
        commit: { type: 'string', default: 'agreement' },
        verbose: { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    die(err instanceof Error ? err.message : String(err), 2);
  }
  const { values, positionals } = args;
  const input = positionals[0];
  if (!input || positionals.length > 1) {
    die('usage: npm run transcribe -- <file.wav|file.mp3|-> [--lang ar|en|ru|auto] [--model <path>] [--glossary <file.csv>] [--translate] [--srt out.srt] [--vtt out.vtt] [--threads 2] [--step 1] [--commit agreement|one-pass]', 2);
  }
  if (!(STT_LANGUAGES as readonly string[]).includes(values.lang)) die(`--lang must be one of ${STT_LANGUAGES.join(', ')} (got ${values.lang})`, 2);
  const threads = Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) die(`--threads must be a whole number from 1 to 64 (got ${values.threads})`, 2);
  const step = Number(values.step);
  if (!(step >= 0.2 && step <= 10)) die(`--step must be between 0.2 and 10 seconds (got ${values.step})`, 2);
  const commit = values.commit;
  if (!isSttCommitRule(commit)) die(`--commit must be one of ${STT_COMMIT_RULES.join(', ')} (got ${commit})`, 2);

  // Where the subtitles go is checked before the run, not after minutes of decoding.
  for (const out of [values.srt, values.vtt]) {
    if (!out) continue;
    const problem = await unwritable(out);
    if (problem) die(`cannot write ${out}: ${problem}`, 2);
  }

  // A file is read (and refused) before anything starts; stdin is read as it arrives.
  const audio: AsyncIterable<Float32Array> | Iterable<Float32Array> = input === '-' ? stdinAudio() : [await loadAudio(input)];

  let glossary: GlossaryTerm[] = [];
  if (values.glossary) {
    const read = await readGlossaryFile(values.glossary);
    if (!read.ok) die(read.error.message);
    glossary = read.value;
    // With --translate the English terms ride along too: the figure is the source language's own.
    const short = glossaryPromptShortfall(glossary).filter((c) => values.lang === 'auto' || c.lang === values.lang);
    if (short.length > 0) {
      const counts = short.map((c) => `${c.rows} of ${c.of} ${c.lang}`).join(', ');
      process.stderr.write(`transcribe: note: the prompt carries the first ${counts} glossary rows; the rest do not steer recognition (put the likeliest first)\n`);
    }
  }

  const modelPath = values.model ? resolve(values.model) : DEFAULT_MODEL_PATH;
  if (!existsSync(modelPath)) {
    if (values.model) die(`model not found: ${values.model}`);
    die(
      `no model: ${DEFAULT_MODEL} is not installed. Pass --model <ggml file>, or for a smoke run generate the test model (random weights, garbage text): npm run models:generate -- --preset test, then --model models/generated/test.bin`,
    );
  }

  const tty = process.stdout.isTTY === true;
  const finals: CaptionEvent[] = [];
  let failure: string | null = null;
  let partialShown = false;

  const supervisor = new SttSupervisor({
    spawnWorker: nodeWorkerSpawner({ stderr: values.verbose ? 'inherit' : 'ignore' }),
    modelPath,
    language: values.lang as SttSourceLanguage,
    task: values.translate ? 'translate' : 'transcribe',
    glossary: glossary.map((t) => ({ ...t })),
    threads,
    tuning: { stepSeconds: step, commit },
    onCaption: (e) => {
      const times = `[${shortTime(e.start)} - ${shortTime(e.end)}]`;
      if (e.state === 'final') {
        finals.push(e);
        if (tty && partialShown) process.stdout.write('\r\x1b[2K');
        process.stdout.write(`${times} ${e.lang} ${e.text}\n`);
        partialShown = false;
      } else if (tty) {
        const line = `${times} ~ ${e.text}`;
        const width = process.stdout.columns ?? 100;
        process.stdout.write(`\r\x1b[2K${line.length > width - 1 ? `${line.slice(0, width - 2)}…` : line}`);
        partialShown = e.text !== '';
      } else if (e.text !== '') {
        process.stdout.write(`${times} partial ${e.text}\n`);
      }
    },
    onStatus: (s) => {
      if (s.state === 'failed') failure = s.reason ?? s.code ?? 'the speech-to-text worker failed';
      else if (s.state === 'restarting' && values.verbose) process.stderr.write(`transcribe: restarting the worker: ${s.reason}\n`);
    },
  });
  supervisor.start();

  // Feed the file one step at a time and let each pass finish: the result does not depend on machine speed.
  const stepSamples = Math.round(step * SAMPLE_RATE);
  const started = performance.now();
  let total = 0;
  let waiting: Float32Array = new Float32Array(0);
  for await (const piece of audio) {
    total += piece.length;
    const joined = new Float32Array(waiting.length + piece.length);
    joined.set(waiting);
    joined.set(piece, waiting.length);
    let at = 0;
    for (; joined.length - at >= stepSamples && !failure; at += stepSamples) {
      supervisor.push(joined.slice(at, at + stepSamples));
      await supervisor.whenCaughtUp();
    }
    waiting = joined.slice(at);
    if (failure) break;
  }
  if (!failure && waiting.length > 0) supervisor.push(waiting);
  if (!failure) await supervisor.flush();
  await supervisor.stop();
  if (tty && partialShown) process.stdout.write('\r\x1b[2K');
  if (failure) die(failure);

  const cues = captionsToCues(finals);
  if (values.srt) await writeFile(values.srt, toSrt(cues));
  if (values.vtt) await writeFile(values.vtt, toVtt(cues));
  const seconds = total / SAMPLE_RATE;
  const wall = (performance.now() - started) / 1000;
  process.stderr.write(
    `transcribe: ${seconds.toFixed(1)} s of audio in ${wall.toFixed(1)} s (RTF ${(wall / seconds).toFixed(2)}), ${finals.length} final captions, ${supervisor.counters.passes} passes${values.srt ? `, wrote ${values.srt}` : ''}${values.vtt ? `, wrote ${values.vtt}` : ''}\n`,
  );
}

main().catch((err: unknown) => die(err instanceof Error ? err.message : String(err)));
