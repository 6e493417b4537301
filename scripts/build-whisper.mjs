#!/usr/bin/env node
// Builds Tarjuman's whisper.cpp addon (smart-whisper's binding + scripts/whisper-addon/addon.cc) once, as the
// package's `postinstall`. smart-whisper's own install script is turned off in package.json `allowScripts`, so
// `npm ci` compiles whisper.cpp exactly once.
//
// Variant: on an x86-64 CPU with AVX2, FMA and F16C the build uses those instruction sets; anywhere else it builds
// the portable variant. Measured on the base-dims generated model, one 5 s pass, 1 thread (AMD EPYC, 2 vCPUs):
// 0.98 s of CPU with AVX2/FMA/F16C against 12.6 s for the portable build with the same -O3 and OpenMP. The chosen variant, its flags and
// the CPU features it needs are written to build-info.json beside the binary; the engine refuses to load a binary
// whose features the running CPU lacks (a copied node_modules or a packaged app on an older CPU) instead of dying
// with SIGILL.
//
// Sources: smart-whisper's tree, except the files scripts/whisper-addon/patches.mjs patches (bugs, one whisper state
// per model, an encoder graph the BLAS backend can take); OpenBLAS from the system when present (findOpenBlas).
//
// Usage: node scripts/build-whisper.mjs [--portable] [--jobs N] [--out DIR] [--engine NAME]
//   (no flags: what postinstall runs; --portable: a portable copy in node_modules/.tarjuman-whisper-portable,
//   which electron/stt/cpu-features.ts picks when the CPU lacks the fast build's instructions)

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, copyFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENGINES, patchedSources } from './whisper-addon/patches.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));

/** The whisper.cpp/ggml sources compiled by default (scripts/whisper-addon/patches.mjs lists them). */
const DEFAULT_ENGINE = 'whisper.cpp-2024';

/** Instruction sets the fast variant is compiled for (x86-64-v3 class as far as ggml is concerned). */
const FAST_FEATURES = ['avx', 'avx2', 'fma', 'f16c'];
const FAST_FLAGS = ['-mavx', '-mavx2', '-mfma', '-mf16c'];

function parseArgs(argv) {
  const args = {
    portable: false,
    jobs: Math.max(1, Math.min(os.availableParallelism?.() ?? 2, 8)),
    out: '',
    engine: process.env.TARJUMAN_WHISPER_ENGINE || DEFAULT_ENGINE,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--portable') args.portable = true;
    else if (a === '--jobs') args.jobs = Number(argv[++i]);
    else if (a === '--out') args.out = path.resolve(argv[++i] ?? '');
    else if (a === '--engine') args.engine = argv[++i] ?? '';
    else throw new Error(`build-whisper: unknown argument ${a}`);
  }
  if (!ENGINES[args.engine]) throw new Error(`build-whisper: --engine must be one of ${Object.keys(ENGINES).join(', ')}`);
  return args;
}

/** CPU flags from /proc/cpuinfo (Linux); empty elsewhere, which selects the portable build. */
function cpuFlags() {
  if (process.platform !== 'linux' || process.arch !== 'x64') return new Set();
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('flags'));
    return new Set((line ?? '').split(':')[1]?.trim().split(/\s+/) ?? []);
  } catch {
    return new Set();
  }
}

/**
 * OpenBLAS for the encoder's matrix products (ggml's BLAS backend; the decoder's one-token products stay on ggml's
 * own kernels). Debian/Ubuntu's libopenblas-openmp-dev: its static library is linked in, so the addon does not
 * need OpenBLAS at run time, and its OpenMP build shares libgomp's threads with ggml (the pthreads build would
 * start a second pool competing for the same cores). OpenBLAS picks its kernels for the running CPU at run time,
 * so the portable variant uses it too. Measured: see README.md (speech-to-text engine). Absent (other distros,
 * macOS, Windows) or TARJUMAN_WHISPER_NO_BLAS=1: ggml's own kernels, and the build says how to get the faster one.
 */
function findOpenBlas() {
  if (process.env.TARJUMAN_WHISPER_NO_BLAS || process.platform !== 'linux') return null;
  const triplet = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' }[process.arch];
  if (!triplet) return null;
  const include = `/usr/include/${triplet}/openblas-openmp`;
  const lib = `/usr/lib/${triplet}/openblas-openmp/libopenblas.a`;
  if (existsSync(path.join(include, 'cblas.h')) && existsSync(lib)) return { include, lib };
  console.log(
    'build-whisper: OpenBLAS (OpenMP build) not found; building with ggml\'s own matrix kernels. For a 1.5-2x faster ' +
      'encoder on Debian/Ubuntu: apt-get install libopenblas-openmp-dev, then node scripts/build-whisper.mjs',
  );
  return null;
}

/**
 * gyp's make rules find a source by its object's name without the extension, so of `ggml.c` and `ggml.cpp` in one
 * folder only one would be compiled (twice): each of such a pair is compiled through a one-line wrapper beside
 * binding.gyp instead.
 * @param {string[]} sources paths relative to outDir
 * @param {string} outDir
 */
function withoutObjectClashes(sources, outDir) {
  const stem = (p) => p.replace(/\.(c|cpp)$/, '');
  return sources.map((p) => {
    if (!sources.some((q) => q !== p && stem(q) === stem(p))) return p;
    const wrapper = `${path.basename(stem(p))}-${p.endsWith('.cpp') ? 'cxx.cpp' : 'c.c'}`;
    writeFileSync(path.join(outDir, wrapper), `#include "${p}"\n`);
    return wrapper;
  });
}

function nodeGypScript() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.resolve(path.dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
  ];
  try {
    candidates.push(require.resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    /* not a direct dependency; npm's bundled copy is used */
  }
  const found = candidates.find((c) => c && existsSync(c));
  if (!found) throw new Error('build-whisper: node-gyp not found (it ships with npm; set npm_config_node_gyp)');
  return found;
}

/** Local Node headers (Debian/NodeSource install them under <prefix>/include/node) avoid a download. */
function nodeDirArgs() {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return existsSync(path.join(prefix, 'include/node/common.gypi')) ? [`--nodedir=${prefix}`] : [];
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const swDir = path.dirname(require.resolve('smart-whisper/package.json'));
  const napiDir = path.dirname(require.resolve('node-addon-api/package.json'));
  // `--portable` on its own builds a second copy beside the default one (the engine falls back to it).
  const outDir =
    args.out || path.join(root, args.portable ? 'node_modules/.tarjuman-whisper-portable' : 'node_modules/.tarjuman-whisper');
  const flags = cpuFlags();
  const fast = !args.portable && FAST_FEATURES.every((f) => flags.has(f));
  const variant = fast ? 'avx2' : 'portable';
  // OpenMP (whisper.cpp's default build uses it too): ggml's own thread pool waits in a pure spin barrier, which
  // collapses when the cores are shared (measured: a pass 15x slower with 2 threads on a busy 2-core machine);
  // libgomp spins briefly, then sleeps.
  const openmp = process.platform === 'linux' && !process.env.TARJUMAN_WHISPER_NO_OPENMP;
  const cflags = ['-O3', '-DNDEBUG', ...(fast ? FAST_FLAGS : []), ...(openmp ? ['-fopenmp'] : [])];

  mkdirSync(outDir, { recursive: true });
  const blas = openmp ? findOpenBlas() : null;
  const engine = ENGINES[args.engine];
  const engineDir = engine.root(swDir, (pkg) => {
    try {
      return path.dirname(require.resolve(`${pkg}/package.json`));
    } catch {
      throw new Error(`build-whisper: ${engine.describe} needs its sources: npm install --no-save ${pkg}`);
    }
  });
  const patched = patchedSources({ swDir, engineDir, engine, blas: blas !== null });
  for (const [file, text] of Object.entries(patched)) writeFileSync(path.join(outDir, file), text);
  for (const header of ['state-cache.h', 'whisper-thread.h']) {
    copyFileSync(path.join(root, 'scripts/whisper-addon', header), path.join(outDir, header));
  }
  copyFileSync(path.join(root, 'scripts/whisper-addon/addon.cc'), path.join(outDir, 'addon.cc'));

  // gyp needs source paths relative to the folder of binding.gyp.
  const w = (p) => path.relative(outDir, path.join(swDir, p));
  const e = (p) => (patched[path.basename(p)] !== undefined ? path.basename(p) : path.relative(outDir, path.join(engineDir, p)));
  const gyp = {
    targets: [
      {
        target_name: 'tarjuman_whisper',
        sources: [
          'addon.cc',
          'model.cc',
          w('src/binding/common.cc'),
          'transcribe.cc',
          ...withoutObjectClashes(engine.sources(blas !== null).map(e), outDir),
        ],
        include_dirs: [
          ...(blas ? [blas.include] : []),
          path.join(napiDir),
          w('src/binding'),
          ...engine.includes.map((p) => path.relative(outDir, path.join(engineDir, p))),
        ],
        dependencies: [`${path.join(napiDir, 'node_api.gyp')}:nothing`],
        defines: [...engine.defines, ...(openmp ? ['GGML_USE_OPENMP'] : []), ...(blas ? ['GGML_USE_BLAS'] : [])],
        libraries: blas ? [blas.lib] : [],
        ldflags: openmp ? ['-fopenmp'] : [],
        'cflags!': ['-fno-exceptions'],
        'cflags_cc!': ['-fno-exceptions'],
        cflags: cflags,
        cflags_cc: cflags,
        xcode_settings: { GCC_ENABLE_CPP_EXCEPTIONS: 'YES', CLANG_CXX_LIBRARY: 'libc++', OTHER_CFLAGS: cflags },
        msvs_settings: { VCCLCompilerTool: { ExceptionHandling: 1 } },
      },
    ],
  };
  writeFileSync(path.join(outDir, 'binding.gyp'), JSON.stringify(gyp, null, 2));

  const started = Date.now();
  console.log(
    `build-whisper: building the ${variant} variant of ${engine.describe} (${cflags.join(' ')}${blas ? ', OpenBLAS' : ''}) ` +
      `with ${args.jobs} jobs in ${outDir}`,
  );
  const res = spawnSync(
    process.execPath,
    [nodeGypScript(), 'rebuild', `--jobs=${args.jobs}`, ...nodeDirArgs()],
    { cwd: outDir, stdio: 'inherit', env: { ...process.env, JOBS: String(args.jobs) } },
  );
  if (res.status !== 0) {
    console.error(`build-whisper: node-gyp failed (exit ${res.status ?? res.signal})`);
    process.exit(1);
  }
  const binary = path.join(outDir, 'build/Release/tarjuman_whisper.node');
  if (!existsSync(binary)) throw new Error(`build-whisper: ${binary} was not produced`);
  rmSync(path.join(outDir, 'build/Release/obj.target'), { recursive: true, force: true });
  const info = {
    variant,
    requiredFeatures: fast ? FAST_FEATURES : [],
    cflags,
    openmp,
    blas: blas ? `OpenBLAS (${blas.lib}, static)` : null,
    engine: args.engine,
    smartWhisperVersion: JSON.parse(readFileSync(path.join(swDir, 'package.json'), 'utf8')).version,
    node: process.version,
    builtAt: new Date().toISOString(),
    buildSeconds: Math.round((Date.now() - started) / 100) / 10,
  };
  writeFileSync(path.join(outDir, 'build-info.json'), JSON.stringify(info, null, 2) + '\n');
  let check = '';
  try {
    check = execFileSync(process.execPath, ['-e', `console.log(require(${JSON.stringify(binary)}).systemInfo())`], {
      encoding: 'utf8',
    }).trim();
  } catch (e) {
    console.error(`build-whisper: the built addon does not load: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  }
  console.log(`build-whisper: done in ${info.buildSeconds} s; whisper.cpp reports: ${check}`);
}

main();
