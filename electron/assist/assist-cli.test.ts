import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { splitFloorLine } from './assist-cli';

const CLI = fileURLToPath(new URL('./assist-cli.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tarjuman-assist-'));

function run(args: string[], stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin!.end(stdin);
  });
}

const glossary = join(dir, 'terms.csv');
writeFileSync(
  glossary,
  'en,ru,ar\nTashkent Declaration,Ташкентская декларация,إعلان طشقند\nShanghai Cooperation Organisation (SCO),Шанхайская организация сотрудничества (ШОС),منظمة شنغهاي للتعاون\n',
);

describe('npm run assist', () => {
  it('prints one JSON object per floor line, in the booth language', async () => {
    const input = [
      'en\tThe Tashkent Declaration pledges three hundred and forty million dollars.',
      'ar\tأكد إعلان طشقند على مليونين ونصف المليون دولار في عام 2022',
      'ru\tШОС и Мария Санчес: полтора миллиарда',
      '',
    ].join('\n') + '\n';
    const r = await run(['--glossary', glossary, '--booth', 'ru'], input);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(4);
    expect(lines[0]).toEqual({
      numbers: [{ text: 'three hundred and forty million dollars', value: '340000000', unit: 'USD' }],
      terms: [{ text: 'Tashkent Declaration', row: { en: 'Tashkent Declaration', ru: 'Ташкентская декларация', ar: 'إعلان طشقند' }, equivalent: 'Ташкентская декларация' }],
      names: [],
    });
    expect(lines[1].terms.map((t: { equivalent: string }) => t.equivalent)).toEqual(['Ташкентская декларация']);
    expect(lines[1].numbers).toEqual([
      { text: 'مليونين ونصف المليون دولار', value: '2500000', unit: 'USD' },
      { text: '2022', value: '2022', unit: 'year' },
    ]);
    expect(lines[2].terms[0]).toMatchObject({ text: 'ШОС', equivalent: 'ШОС' });
    expect(lines[2].names).toEqual([{ text: 'Мария Санчес', acronym: false }]);
    expect(lines[2].numbers[0].value).toBe('1500000000');
    expect(lines[3]).toEqual({ numbers: [], terms: [], names: [] });
  }, 90_000);

  it('reads plain text in the --lang language (a Russian decimal comma)', async () => {
    const r = await run(['--lang', 'ru'], 'рост на 11,4 процента\n');
    expect(JSON.parse(r.stdout).numbers).toEqual([{ text: '11,4 процента', value: '11.4', unit: '%' }]);
  }, 90_000);

  it('refuses a bad glossary or booth with one clear line', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'term,translation\na,b\n');
    const r = await run(['--glossary', bad], 'x\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^assist: glossary .*bad\.csv: The first row must name the columns/);
    const booth = await run(['--booth', 'fr'], 'x\n');
    expect(booth.code).toBe(2);
    expect(booth.stderr).toBe('assist: --booth must be one of en, ru, ar (got fr)\n');
  }, 90_000);

  it('tells a language prefix from text', () => {
    expect(splitFloorLine('ru\tпривет', 'en')).toEqual({ lang: 'ru', text: 'привет' });
    expect(splitFloorLine('no tab here', 'en')).toEqual({ lang: 'en', text: 'no tab here' });
    expect(splitFloorLine('a sentence\twith a tab', undefined)).toEqual({ lang: undefined, text: 'a sentence\twith a tab' });
  });
});
