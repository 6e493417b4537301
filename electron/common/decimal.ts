/**
 * Exact decimals for the numbers read from speech: "1.1 million" must come out as 1100000, not
 * 1100000.0000000002. A value is `m / 10^e` with a bigint mantissa; only what number reading needs is here.
 *
 * Runs anywhere: no DOM, no Node.
 */

/** `m / 10^e`, e >= 0. */
export interface Decimal {
  readonly m: bigint;
  readonly e: number;
}

export const ZERO: Decimal = { m: 0n, e: 0 };

/** An integer or a decimal with `e` digits after the point (`decimal(15, 1)` is 1.5). */
export function decimal(m: number | bigint, e = 0): Decimal {
  return { m: BigInt(m), e };
}

/** Parses ASCII digits with an optional fractional part (`"1250"`, `"4"` + `"2"` -> 4.2). */
export function fromDigits(integer: string, fraction = ''): Decimal {
  return { m: BigInt((integer || '0') + fraction), e: fraction.length };
}

const scaleUp = (d: Decimal, e: number): bigint => d.m * 10n ** BigInt(e - d.e);

export function add(a: Decimal, b: Decimal): Decimal {
  const e = Math.max(a.e, b.e);
  return { m: scaleUp(a, e) + scaleUp(b, e), e };
}

export function mul(a: Decimal, b: Decimal): Decimal {
  return { m: a.m * b.m, e: a.e + b.e };
}

export function isZero(d: Decimal): boolean {
  return d.m === 0n;
}

/** Approximate value, for comparisons ("is it a plausible year?"), never for output. */
export function toNumber(d: Decimal): number {
  return Number(d.m) / 10 ** d.e;
}

/** Whether the value has no fractional part. */
export function isInteger(d: Decimal): boolean {
  return d.m % 10n ** BigInt(d.e) === 0n;
}

/** The plain decimal string: `"340000000"`, `"1.5"`, `"0.5"`, no exponent, no trailing zeros. */
export function toPlainString(d: Decimal): string {
  const negative = d.m < 0n;
  let digits = (negative ? -d.m : d.m).toString();
  if (d.e > 0) {
    digits = digits.padStart(d.e + 1, '0');
    const int = digits.slice(0, digits.length - d.e).replace(/^0+(?=\d)/, '');
    const frac = digits.slice(digits.length - d.e).replace(/0+$/, '');
    digits = frac ? `${int}.${frac}` : int;
  }
  return negative ? `-${digits}` : digits;
}
