import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ensureGeneratedModel } from '../../models/generate-ggml';
import { speechClip } from './fixtures/speech-fixtures';
import { encodeWav16 } from './wav';

const CLI = fileURLToPath(new URL('./transcribe-cli.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tarjuman-cli-'));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { timeout: 90_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function file(name: string, content: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

describe.concurrent('npm run transcribe: bad input gets one clear line and a non-zero exit', () => {
  const wav = file('ok.wav', encodeWav16(new Float32Array(16000)));
  const cases: Array<[string, string[], RegExp]> = [
    ['a missing file', [join(dir, 'nope.wav')], /^transcribe: no such file: .*nope\.wav$/],
    ['a file that is not audio', [file('notes.txt', 'hello')], /^transcribe: unsupported format: .*notes\.txt is not a WAV file/],
    ['an MP3 sox cannot decode', [file('broken.mp3', 'ID3 not really')], /^transcribe: cannot decode .*broken\.mp3: MP3 needs sox/],
    ['a WAV encoding it does not read', [file('adpcm.wav', adpcm())], /^transcribe: .*adpcm\.wav: unsupported WAV encoding \(format 2, 4-bit\)/],
    ['a missing model', [wav, '--model', join(dir, 'missing.bin')], /^transcribe: model not found: /],
    ['a language it does not know', [wav, '--lang', 'fr'], /^transcribe: --lang must be one of ar, en, ru, auto \(got fr\)$/],
    ['a commit rule it does not know', [wav, '--commit', 'fast'], /^transcribe: --commit must be one of agreement, one-pass \(got fast\)$/],
    ['no input', [], /^transcribe: usage: npm run transcribe -- <file\.wav\|file\.mp3\|->/],
    ['a corrupt model', [wav, '--model', file('corrupt.bin', 'garbage that is not ggml')], /^transcribe: .*(ggml|model)/i],
    // Checked before the model loads and the audio is decoded (a missing model would otherwise be reported first).
    ['subtitles into a folder that does not exist', [wav, '--model', join(dir, 'missing.bin'), '--srt', join(dir, 'no-such-dir', 'out.srt')], /^transcribe: cannot write .*out\.srt: the folder .*no-such-dir does not exist$/],
    ['subtitles onto a folder', [wav, '--vtt', dir], /^transcribe: cannot write .*: it is a folder$/],
  ];
  it.each(cases)('%s', async (_name, args, message) => {
    const r = await run(args);
    expect(r.code).not.toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(r.stdout).toBe('');
  });
});

/** A WAV header announcing IMA ADPCM (format 2), which the reader does not decode. */
function adpcm(): Uint8Array {
  const bytes = encodeWav16(new Float32Array(64));
  const view = new DataView(bytes.buffer);
  view.setUint16(20, 2, true);
  view.setUint16(34, 4, true);
  return bytes;
}

describe('npm run transcribe with the generated test model', () => {
  it('transcribes a 44.1 kHz stereo WAV (resampled), prints timed lines and writes SRT and WebVTT', async () => {
    const model = await ensureGeneratedModel('test');
    const mono = file('speech16.wav', encodeWav16(speechClip('en', 1.0).pcm));
    const stereo = join(dir, 'speech44.wav');
    execFileSync('sox', [mono, '-r', '44100', '-c', '2', stereo]);
    const srt = join(dir, 'out.srt');
    const vtt = join(dir, 'out.vtt');
    const r = await run([stereo, '--model', model, '--lang', 'en', '--srt', srt, '--vtt', vtt]);
    expect(r.stderr).toContain('note: 2 channel(s) at 44100 Hz, mixed to mono and resampled to 16000 Hz');
    expect(r.code).toBe(0);
    const finals = r.stdout.split('\n').filter((l) => /^\[\d\d:\d\d\.\d - \d\d:\d\d\.\d\] en \S/.test(l));
    expect(finals.length).toBeGreaterThan(0);
    const srtText = readFileSync(srt, 'utf8');
    expect(srtText).toMatch(/^1\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\n\S/);
    expect(readFileSync(vtt, 'utf8')).toMatch(/^WEBVTT\n\n\d\d:\d\d:\d\d\.\d{3} --> /);
  });

  it('runs the one-pass commit rule (--commit one-pass), so a recording can be compared under both', async () => {
    const model = await ensureGeneratedModel('test');
    const wav = file('speech-one-pass.wav', encodeWav16(speechClip('en', 1.0).pcm));
    // An event-sized glossary: a note says how much of it the prompt carries.
    const rows = Array.from({ length: 60 }, (_, i) => `Delegation of country ${i},Делегация ${i},وفد ${i}`);
    const glossary = file('event-glossary.csv', `en,ru,ar\n${rows.join('\n')}\n`);
    const r = await run([wav, '--model', model, '--lang', 'en', '--commit', 'one-pass', '--glossary', glossary]);
    expect(r.stderr).toMatch(/^transcribe: note: the prompt carries the first \d+ of 60 en glossary rows; the rest do not steer recognition/m);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter((l) => /^\[\d\d:\d\d\.\d - \d\d:\d\d\.\d\] en \S/.test(l)).length).toBeGreaterThan(0);
  });

  it('captions a WAV on stdin while it is still arriving (a live recorder), and refuses a stdin that is not WAV', async () => {
    const model = await ensureGeneratedModel('test');
    const wav = encodeWav16(speechClip('en', 1.0).pcm);
    new DataView(wav.buffer, wav.byteOffset).setUint32(40, 0, true); // a recorder's placeholder size
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, '-', '--model', model, '--lang', 'en'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // The first 3 s of audio, then nothing more until a caption has come out: it was decoded from a stream that
    // has not ended.
    const cut = 44 + 2 * 3 * 16000;
    child.stdin.write(wav.subarray(0, cut));
    const deadline = Date.now() + 80_000;
    while (!/\] (partial )?\S/.test(stdout) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(stdout, stderr).toMatch(/^\[\d\d:\d\d\.\d - \d\d:\d\d\.\d\] (partial |en )\S/m);
    child.stdin.end(wav.subarray(cut));
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/^\[\d\d:\d\d\.\d - \d\d:\d\d\.\d\] en \S/m);
    expect(stderr).toMatch(/transcribe: \d+\.\d s of audio in/);

    const notWav = spawn(process.execPath, ['--import', 'tsx', CLI, '-', '--model', model], { stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    notWav.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = new Promise<number | null>((resolve) => notWav.on('exit', resolve));
    notWav.stdin.end('ID3 this is an mp3, not a wav');
    expect(await code).not.toBe(0);
    expect(err.trim()).toBe('transcribe: unsupported format: stdin is not a WAV file (give a WAV, or an MP3 when sox can read MP3)');
  }, 120_000);
});
