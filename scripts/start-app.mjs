/**
 * `npm start`: the desktop app (electron-vite preview: build, then launch Electron). Before that, checks what the
 * desktop app needs, so a machine without it gets one line saying what to run instead (the same console in a
 * browser, `npm run console`) rather than electron-vite's "Electron uninstall" stack:
 * - Node.js 22.12+ (the `electron` package's installer and @electron/get need it; the rest of Tarjuman runs on
 *   Node 20.19+);
 * - the Electron binary, which the `electron` package downloads at install or first launch (impossible offline).
 * Arguments after `npm start --` go to electron-vite.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const require = createRequire(join(root, 'package.json'));
const INSTEAD = 'run the console in a browser instead: npm run console (then open the link it prints)';

/** Why the desktop app cannot start here, or null. */
function missing() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 12)) {
    return `npm start runs the desktop app, which needs Node.js 22.12+ (this is ${process.versions.node})`;
  }
  if (process.env.ELECTRON_EXEC_PATH) return existsSync(process.env.ELECTRON_EXEC_PATH) ? null : `ELECTRON_EXEC_PATH (${process.env.ELECTRON_EXEC_PATH}) does not exist`;
  let dir;
  try {
    dir = dirname(require.resolve('electron/package.json'));
  } catch {
    return 'npm start runs the desktop app, and the electron package is not installed (npm ci)';
  }
  const pathFile = join(dir, 'path.txt');
  const binary = existsSync(pathFile) ? join(dir, 'dist', readFileSync(pathFile, 'utf8').trim()) : null;
  if (!binary || !existsSync(binary)) return 'npm start runs the desktop app, and no Electron binary is installed (it could not be downloaded)';
  return null;
}

const why = missing();
if (why) {
  process.stderr.write(`${why}: ${INSTEAD}\n`);
  process.exit(1);
}
const cli = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
const child = spawn(process.execPath, [cli, 'preview', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
