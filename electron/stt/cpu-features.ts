/**
 * Finds the whisper.cpp addon built by scripts/build-whisper.mjs and checks, before loading it, that this CPU has
 * the instruction sets it was compiled for: a fast (AVX2/FMA/F16C) binary on an older CPU would die with SIGILL,
 * so it is refused with a clear error, or a portable copy next to it is used instead.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { z } from 'zod';
import { fail, ok, type Result } from '../common/result';

const buildInfoSchema = z.object({
  variant: z.string(),
  requiredFeatures: z.array(z.string()),
  cflags: z.array(z.string()),
  openmp: z.boolean().optional(),
  /** The BLAS library linked in for the encoder's matrix products, or null (ggml's own kernels). */
  blas: z.string().nullable().optional(),
  smartWhisperVersion: z.string(),
  buildSeconds: z.number().optional(),
});

/** What scripts/build-whisper.mjs recorded about a built addon. */
export type AddonBuildInfo = z.infer<typeof buildInfoSchema>;

/** A built addon that this CPU can run. */
export interface AddonLocation {
  /** Path of the `.node` file. */
  binary: string;
  info: AddonBuildInfo;
}

/** CPU feature flags of this machine (Linux /proc/cpuinfo), lower case; undefined where they cannot be read. */
export function cpuFlags(): Set<string> | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('flags'));
    return new Set((line?.split(':')[1] ?? '').trim().split(/\s+/));
  } catch {
    return undefined;
  }
}

/** Folders where builds may live, best first: an explicit override, the default build, a portable copy. */
function candidateDirs(): string[] {
  const dirs: string[] = [];
  if (process.env.TARJUMAN_WHISPER_ADDON_DIR) dirs.push(path.resolve(process.env.TARJUMAN_WHISPER_ADDON_DIR));
  try {
    const req = createRequire(import.meta.url);
    const nodeModules = path.dirname(path.dirname(req.resolve('smart-whisper/package.json')));
    dirs.push(path.join(nodeModules, '.tarjuman-whisper'), path.join(nodeModules, '.tarjuman-whisper-portable'));
  } catch {
    /* smart-whisper not installed: reported below */
  }
  return dirs;
}

/**
 * Picks the first built addon whose required instruction sets this CPU has. Fails with `ENGINE_NOT_BUILT` when
 * there is none (run `npm rebuild` / `node scripts/build-whisper.mjs`), `ENGINE_CPU_UNSUPPORTED` when the builds
 * need instructions this CPU lacks (`node scripts/build-whisper.mjs --portable`).
 */
export function locateWhisperAddon(flags: Set<string> | undefined = cpuFlags()): Result<AddonLocation> {
  const unsupported: string[] = [];
  for (const dir of candidateDirs()) {
    const binary = path.join(dir, 'build/Release/tarjuman_whisper.node');
    const infoPath = path.join(dir, 'build-info.json');
    if (!existsSync(binary) || !existsSync(infoPath)) continue;
    const parsed = buildInfoSchema.safeParse(JSON.parse(readFileSync(infoPath, 'utf8')));
    if (!parsed.success) continue;
    const missing = parsed.data.requiredFeatures.filter((f) => flags !== undefined && !flags.has(f));
    // Without a readable flag list (not Linux), only the portable variant is safe to assume.
    if (missing.length > 0 || (flags === undefined && parsed.data.requiredFeatures.length > 0)) {
      unsupported.push(`${dir} (${parsed.data.variant}: needs ${missing.join(', ') || 'unknown features'})`);
      continue;
    }
    return ok({ binary, info: parsed.data });
  }
  if (unsupported.length > 0) {
    return fail(
      'ENGINE_CPU_UNSUPPORTED',
      `The whisper.cpp build needs instructions this CPU lacks: ${unsupported.join('; ')}. ` +
        'Build the portable variant: node scripts/build-whisper.mjs --portable',
    );
  }
  return fail('ENGINE_NOT_BUILT', 'The whisper.cpp addon is not built. Run: node scripts/build-whisper.mjs');
}
