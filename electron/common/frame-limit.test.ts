import { describe, expect, it } from 'vitest';
import { MAX_FRAME_BYTES, checkRequestSize } from './frame-limit';
import { MAX_TEXT_LENGTH } from './protocol';

describe('checkRequestSize', () => {
  it('lets every valid request through, even at the text limit in 4-byte characters', () => {
    expect(checkRequestSize('caption:publish', { id: 'a', text: 'Hello' }).ok).toBe(true);
    expect(checkRequestSize('caption:publish', { id: 'a', text: '😀'.repeat(MAX_TEXT_LENGTH / 2) }).ok).toBe(true);
    expect(checkRequestSize('caption:publish', { id: 'a', text: 'ش'.repeat(MAX_TEXT_LENGTH) }).ok).toBe(true);
  });

  it('refuses a frame the hub would not read: TEXT_TOO_LONG for a long text, INVALID_PAYLOAD otherwise', () => {
    const big = checkRequestSize('caption:publish', { id: 'a', text: 'x'.repeat(1024 * 1024) });
    expect(big).toMatchObject({ ok: false, error: { code: 'TEXT_TOO_LONG' } });
    const justOver = checkRequestSize('caption:publish', { text: 'ж'.repeat(Math.ceil(MAX_FRAME_BYTES / 2)) });
    expect(justOver.ok).toBe(false);
    const other = checkRequestSize('display:subscribe', { channels: ['ar'], since: Object.fromEntries(Array.from({ length: 9000 }, (_, i) => [`c${i}`, i])) });
    expect(other).toMatchObject({ ok: false, error: { code: 'INVALID_PAYLOAD' } });
  });
});
