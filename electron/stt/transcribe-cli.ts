/**
 * `npm run transcribe -- <file.wav|file.mp3|-> [--lang ar|en|ru|auto] [--model <path>] [--glossary <file.csv>]
 *   [--translate] [--srt out.srt] [--vtt out.vtt] [--threads 2]`
 *
 * Streams a file through the same worker and pipeline the console uses and prints captions as they come:
 * partial lines overwrite each other on a terminal (and are printed as they come otherwise), final lines stay.
 * WAV (PCM 8/16/24/32-bit or float, any channels, any rate: resampled to 16 kHz); MP3 through `sox` if it can
 * read MP3; `-` reads a WAV from stdin. Bad input gets one line on stderr and a non-zero exit.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseGlossaryCsv, type GlossaryTerm } from '../common/glossary';
import { STT_LANGUAGES, type CaptionEvent, type SttSourceLanguage } from '../common/stt-protocol';
import { SAMPLE_RATE } from './engine';
import { nodeWorkerSpawner } from './node-worker';
import { SttSupervisor } from './stt-supervisor';
import { captionsToCues, shortTime, toSrt, toVtt } from './subtitles';
import { parseWav, resampleTo16k } from './wav';

/** The model used without --model. */
const DEFAULT_MODEL = 'models/ggml-base.bin';
const DEFAULT_MODEL_PATH = fileURLToPath(new URL(`../../${DEFAULT_MODEL}`, import.meta.url));

function die(message: string, code = 1): never {
  process.stderr.write(`transcribe: ${message}\n`);
  process.exit(code);
}

function readStdin(): Promise<Buffer> {
  return new Promise((res, rej) => {
    const parts: Buffer[] = [];
    process.stdin.on('data', (d: Buffer) => parts.push(d));
    process.stdin.on('end', () => res(Buffer.concat(parts)));
    process.stdin.on('error', rej);
  });
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
  if (input === '-') {
    bytes = await readStdin();
    if (bytes.length === 0) die('nothing on stdin (expected a WAV stream)');
  } else {
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
  if (!parsed.ok) {
    if (parsed.error.code === 'NOT_WAV') die(`unsupported format: ${input === '-' ? 'stdin' : input} is not a WAV file (give a WAV, or an MP3 when sox can read MP3)`);
    die(`${input === '-' ? 'stdin' : input}: ${parsed.error.message}`);
  }
  const { sampleRate, channels, samples } = parsed.value;
  if (samples.length === 0) die(`${input === '-' ? 'stdin' : input}: the WAV file holds no audio`);
  if (sampleRate !== SAMPLE_RATE || channels !== 1) {
    process.stderr.write(`transcribe: note: ${channels} channel(s) at ${sampleRate} Hz, mixed to mono and resampled to 16000 Hz\n`);
  }
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
        verbose: { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    die(err instanceof Error ? err.message : String(err), 2);
  }
  const { values, positionals } = args;
  const input = positionals[0];
  if (!input || positionals.length > 1) {
    die('usage: npm run transcribe -- <file.wav|file.mp3|-> [--lang ar|en|ru|auto] [--model <path>] [--glossary <file.csv>] [--translate] [--srt out.srt] [--vtt out.vtt] [--threads 2]', 2);
  }
  if (!(STT_LANGUAGES as readonly string[]).includes(values.lang)) die(`--lang must be one of ${STT_LANGUAGES.join(', ')} (got ${values.lang})`, 2);
  const threads = Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) die(`--threads must be a whole number from 1 to 64 (got ${values.threads})`, 2);
  const step = Number(values.step);
  if (!(step >= 0.2 && step <= 10)) die(`--step must be between 0.2 and 10 seconds (got ${values.step})`, 2);

  const audio = await loadAudio(input);

  let glossary: GlossaryTerm[] = [];
  if (values.glossary) {
    let text: string;
    try {
      text = await readFile(values.glossary, 'utf8');
    } catch {
      die(`cannot read the glossary ${values.glossary}`);
    }
    const parsed = parseGlossaryCsv(text);
    if (!parsed.ok) die(`glossary ${values.glossary}: ${parsed.error.message}`);
    glossary = parsed.value;
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
    tuning: { stepSeconds: step },
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
  for (let at = 0; at < audio.length && !failure; at += stepSamples) {
    supervisor.push(audio.slice(at, Math.min(audio.length, at + stepSamples)));
    await supervisor.whenCaughtUp();
  }
  if (!failure) await supervisor.flush();
  await supervisor.stop();
  if (tty && partialShown) process.stdout.write('\r\x1b[2K');
  if (failure) die(failure);

  const cues = captionsToCues(finals);
  if (values.srt) await writeFile(values.srt, toSrt(cues));
  if (values.vtt) await writeFile(values.vtt, toVtt(cues));
  const seconds = audio.length / SAMPLE_RATE;
  const wall = (performance.now() - started) / 1000;
  process.stderr.write(
    `transcribe: ${seconds.toFixed(1)} s of audio in ${wall.toFixed(1)} s (RTF ${(wall / seconds).toFixed(2)}), ${finals.length} final captions, ${supervisor.counters.passes} passes${values.srt ? `, wrote ${values.srt}` : ''}${values.vtt ? `, wrote ${values.vtt}` : ''}\n`,
  );
}

main().catch((err: unknown) => die(err instanceof Error ? err.message : String(err)));
