/**
 * `npx tsx bench/engine-ab.ts --model <file> --a <addon dir> --b <addon dir> [--seconds 5] [--rounds 9]
 * [--max-tokens N] [--prompt CHARS] [--draft N] [--a-threads N] [--b-threads N] [--a-env K=V] [--b-env K=V]`: a paired A/B of two builds of the whisper addon (or one build with two settings)
 * on a shared, noisy machine. Each side runs in its own worker process with the model loaded; passes alternate
 * A, B, A, B... over the same buffer (audio_ctx shrunk as the streaming pipeline does), so a slow stretch of the
 * machine hits both alike. Prints each side's median and the median of the pair-by-pair ratios B/A. `--draft N`: B
 * hands each pass the first N + 1 token ids of its previous pass over the same buffer and prompt as a draft (so the
 * draft holds for N decoder steps, as a streaming pass's draft holds up to the new audio); A decodes without one.
 * `--a-threads` / `--b-threads` set each side's CPU threads (default 2, the benchmarks' figure).
 */
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const SAMPLE_RATE = 16_000;
/** The committed text a pass carries as its prompt (`--prompt N` takes its first N characters). */
const PROMPT =
  'Good morning and welcome to the second session of the committee on climate finance. The chair will now give the ' +
  'floor to the delegation of the Russian Federation. We have studied the report with great care and we support its ' +
  'main conclusions. However we believe that the figures for adaptation funding are still far too low.';

if (process.argv.includes('--child')) {
  const { loadSmartWhisperEngine } = await import('../electron/stt/smart-whisper-engine');
  const modelPath = process.env['AB_MODEL']!;
  const engine = await loadSmartWhisperEngine(modelPath, { threads: 2 });
  process.send!({ ready: true, build: engine.build.variant, info: engine.systemInfo, loadMs: engine.loadMs });
  let lastIds: number[] = [];
  process.on('message', async (m: { seconds: number; maxTokens?: number; prompt?: string; draft?: number; threads: number }) => {
    const pcm = new Float32Array(Math.round(m.seconds * SAMPLE_RATE));
    for (let i = 0; i < pcm.length; i++) pcm[i] = 0.1 * Math.sin(i * 0.05) * Math.sin(i * 0.0007);
    const started = performance.now();
    const segments = await engine.transcribe(pcm, {
      language: 'en',
      task: 'transcribe',
      threads: m.threads,
      audioCtx: Math.min(1500, Math.ceil(m.seconds * 50) + 50),
      ...(m.maxTokens ? { maxTokens: m.maxTokens } : {}),
      ...(m.prompt ? { initialPrompt: m.prompt } : {}),
      ...(m.draft && lastIds.length > 0 ? { draft: lastIds.slice(0, m.draft + 1) } : {}),
    });
    const ms = performance.now() - started;
    lastIds = segments.flatMap((s) => s.ids ?? []);
    process.send!({ ms, tokens: segments.flatMap((s) => s.tokens).length, accepted: engine.lastPass.draftAccepted });
  });
} else {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      'model-b': { type: 'string' },
      a: { type: 'string' },
      b: { type: 'string' },
      'a-env': { type: 'string', multiple: true, default: [] },
      'b-env': { type: 'string', multiple: true, default: [] },
      seconds: { type: 'string', default: '5' },
      rounds: { type: 'string', default: '9' },
      'max-tokens': { type: 'string' },
      prompt: { type: 'string', default: '0' },
      draft: { type: 'string', default: '0' },
      'a-threads': { type: 'string', default: '2' },
      'b-threads': { type: 'string', default: '2' },
    },
  });
  if (!values.model || !values.a || !values.b) {
    console.error('usage: tsx bench/engine-ab.ts --model FILE [--model-b FILE] --a ADDON_DIR --b ADDON_DIR [--a-env K=V] [--b-env K=V]');
    process.exit(2);
  }
  const env = (list: string[]): Record<string, string> => Object.fromEntries(list.map((kv) => kv.split('=') as [string, string]));
  const start = (dir: string, model: string, extra: Record<string, string>): Promise<{ child: ChildProcess; info: string }> =>
    new Promise((resolve, reject) => {
      const child = fork(fileURLToPath(import.meta.url), ['--child'], {
        execArgv: ['--import', 'tsx'],
        env: { ...process.env, ...extra, TARJUMAN_WHISPER_ADDON_DIR: dir, AB_MODEL: model },
      });
      child.once('message', (m: { info: string; loadMs: number }) => resolve({ child, info: `${m.info} (load ${m.loadMs.toFixed(0)} ms)` }));
      child.once('exit', (code) => reject(new Error(`child exited ${code}`)));
    });
  const pass = (child: ChildProcess, seconds: number, threads: number, draft = 0): Promise<{ ms: number; tokens: number; accepted: number }> =>
    new Promise((resolve) => {
      child.once('message', resolve);
      child.send({
        seconds,
        threads,
        prompt: PROMPT.slice(0, Number(values.prompt)),
        ...(values['max-tokens'] ? { maxTokens: Number(values['max-tokens']) } : {}),
        ...(draft > 0 ? { draft } : {}),
      });
    });
  const draft = Number(values.draft);
  const median = (xs: number[]): number => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)]!;
  const seconds = Number(values.seconds);
  const a = await start(values.a, values.model, env(values['a-env']));
  const b = await start(values.b, values['model-b'] ?? values.model, env(values['b-env']));
  console.log(`A: ${values.a} ${values['a-env'].join(' ')} (${values['a-threads']} threads)\n   ${a.info}`);
  console.log(`B: ${values.b} ${values['b-env'].join(' ')} (${values['b-threads']} threads)\n   ${b.info}`);
  /** One pass on a side: B with its threads and the draft, A with its threads. */
  const passOn = (side: typeof a): ReturnType<typeof pass> =>
    side === b
      ? pass(b.child, seconds, Number(values['b-threads']), draft)
      : pass(a.child, seconds, Number(values['a-threads']));
  await passOn(a);
  await passOn(b);
  const ta: number[] = [];
  const tb: number[] = [];
  let tokens = '';
  for (let r = 0; r < Number(values.rounds); r++) {
    const first = r % 2 === 0 ? a : b;
    const second = r % 2 === 0 ? b : a;
    const x = await passOn(first);
    const y = await passOn(second);
    const [pa, pb] = r % 2 === 0 ? [x, y] : [y, x];
    ta.push(pa.ms);
    tb.push(pb.ms);
    tokens = `${pa.tokens}/${pb.tokens}${draft > 0 ? ` (B's draft held ${pb.accepted})` : ''}`;
  }
  const ratios = ta.map((t, i) => tb[i]! / t);
  console.log(
    `${seconds} s pass, ${ta.length} pairs (load ${os.loadavg()[0]!.toFixed(1)}), tokens A/B ${tokens}: ` +
      `A median ${median(ta).toFixed(0)} ms [${Math.min(...ta).toFixed(0)}-${Math.max(...ta).toFixed(0)}], ` +
      `B median ${median(tb).toFixed(0)} ms [${Math.min(...tb).toFixed(0)}-${Math.max(...tb).toFixed(0)}], ` +
      `B/A median ${median(ratios).toFixed(2)}`,
  );
  a.child.kill();
  b.child.kill();
}
