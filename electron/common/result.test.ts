import { describe, expect, it } from 'vitest';
import { fail, ok } from './result';

describe('Result', () => {
  it('carries a value or an error code', () => {
    expect(ok(3)).toEqual({ ok: true, value: 3 });
    expect(fail('X', 'y')).toEqual({ ok: false, error: { code: 'X', message: 'y' } });
  });
});
