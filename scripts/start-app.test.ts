import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

describe('npm start', () => {
  it('where the desktop app cannot run (Node below 22.12, or no Electron binary), says in one line to run npm run console', () => {
    const run = spawnSync('npm', ['start', '--silent'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^npm start runs the desktop app, .*: run the console in a browser instead: npm run console \(then open the link it prints\)$/);
    // Nothing was built or launched first.
    expect(run.stdout.trim()).toBe('');
  });
});
