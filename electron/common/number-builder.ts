/**
 * One number being read word by word: the completed scales ("three hundred million" so far) plus the group
 * under the last scale, with the hundreds, tens and units slots it has filled. A word that does not fit (a second
 * units word, a larger scale after a smaller one) starts another number; Arabic allows units before tens
 * ("سبعة وعشرون"). Used by `number-reader.ts`.
 *
 * Runs anywhere: no DOM, no Node.
 */
import { add, decimal, mul, toNumber, ZERO, type Decimal } from './decimal';
import type { NumberWord } from './number-words';

/** Building one number: completed scales plus the group under the last scale, with its filled slots. */
export class NumberBuilder {
  total = ZERO;
  group = ZERO;
  groupHas = false;
  slots = { hundreds: false, tens: false, units: false };
  lastScale = 0;
  parts = 0;
  ordinal = false;
  scaled = false;
  onlyOne = false;
  smallOrdinal = false;
  pluralOrdinal = false;
  pendingA = false;
  pendingHalf = false;

  value(): Decimal {
    return add(this.total, this.group);
  }

  private addToGroup(v: number): void {
    this.group = add(this.group, decimal(v));
    this.groupHas = true;
  }

  /** Accepts a word into the number, or says it starts another one. `arabic` allows unit-then-tens order. */
  accept(w: NumberWord, arabic: boolean): boolean {
    if (this.ordinal) return arabic && (w.kind === 'tens' || (w.kind === 'teen' && w.arabicTen === true)) && this.acceptArabicAfterOrdinal(w);
    if (this.pendingA && w.kind !== 'scale' && w.kind !== 'hundred') return false;
    switch (w.kind) {
      case 'zero':
        if (this.parts > 0) return false;
        this.parts++;
        this.groupHas = true;
        return true;
      case 'a':
        if (this.parts > 0 && !this.pendingHalf) return false;
        this.pendingA = true;
        return true;
      case 'unit':
        if (this.slots.units || this.pendingHalf) return false;
        this.slots.units = true;
        this.addToGroup(w.value);
        this.onlyOne = this.parts === 0 && w.one === true;
        this.parts++;
        return true;
      case 'teen':
        if (arabic && w.arabicTen && this.slots.units && !this.slots.tens) {
          this.slots.tens = true;
          this.addToGroup(10);
          this.onlyOne = false;
          this.parts++;
          return true;
        }
        if (this.slots.units || this.slots.tens || this.pendingHalf) return false;
        this.slots.units = this.slots.tens = true;
        this.addToGroup(w.value);
        this.parts++;
        return true;
      case 'tens':
        if (this.slots.tens || (this.slots.units && !arabic) || this.pendingHalf) return false;
        this.slots.tens = true;
        this.addToGroup(w.value);
        this.onlyOne = false;
        this.parts++;
        return true;
      case 'hundreds':
        if (this.slots.hundreds || this.slots.tens || this.slots.units || this.pendingHalf) return false;
        this.slots.hundreds = true;
        this.addToGroup(w.value);
        this.parts++;
        return true;
      case 'hundred': {
        if (this.slots.hundreds || this.pendingHalf) return false;
        const base = this.groupHas ? this.group : decimal(1);
        if (toNumber(base) >= 100) return false;
        this.group = mul(base, decimal(100));
        this.groupHas = true;
        this.slots = { hundreds: true, tens: false, units: false };
        this.onlyOne = false;
        this.pendingA = false;
        this.parts++;
        return true;
      }
      case 'scale': {
        if (this.lastScale && w.value >= this.lastScale) return false;
        let count: Decimal;
        if (this.pendingHalf) count = decimal(5, 1);
        else if (this.groupHas) count = this.group;
        else if (this.pendingA || w.count === 1) count = decimal(1);
        else if (w.count === 2) count = decimal(2);
        else if (this.parts === 0) return false; // "thousands of", "миллионы": vague.
        else count = decimal(1);
        if (this.groupHas && w.count === 2) return false;
        this.total = add(this.total, mul(count, decimal(w.value)));
        this.group = ZERO;
        this.groupHas = false;
        this.slots = { hundreds: false, tens: false, units: false };
        this.lastScale = w.value;
        this.scaled = true;
        this.onlyOne = false;
        this.pendingA = this.pendingHalf = false;
        this.parts++;
        return true;
      }
      case 'one-and-half':
        if (this.groupHas || this.parts > 0) return false;
        this.group = decimal(15, 1);
        this.groupHas = true;
        this.slots = { hundreds: true, tens: true, units: true };
        this.parts++;
        return true;
      case 'half-scale':
        if (this.parts > 0) return false;
        this.total = mul(decimal(5, 1), decimal(w.value));
        this.lastScale = w.value;
        this.scaled = true;
        this.parts++;
        return true;
      case 'half':
        return false;
      case 'ordinal':
        return this.acceptOrdinal(w, arabic);
    }
  }

  private acceptOrdinal(w: Extract<NumberWord, { kind: 'ordinal' }>, arabic: boolean): boolean {
    const before = this.parts;
    const asCardinal: NumberWord =
      w.slot === 'unit'
        ? { kind: 'unit', value: w.value }
        : w.slot === 'teen'
          ? { kind: 'teen', value: w.value }
          : w.slot === 'tens'
            ? { kind: 'tens', value: w.value }
            : w.slot === 'hundreds'
              ? { kind: 'hundreds', value: w.value }
              : w.slot === 'hundred'
                ? { kind: 'hundred' }
                : { kind: 'scale', value: w.value, count: 1 };
    if (!this.accept(asCardinal, arabic)) return false;
    this.ordinal = true;
    this.onlyOne = false;
    this.smallOrdinal = before === 0 && w.value <= 3;
    this.pluralOrdinal = before === 0 && w.plural === true;
    return true;
  }

  /** الثامنة والسبعون, الرابع عشر: an Arabic ordinal unit completed by tens or عشر. */
  private acceptArabicAfterOrdinal(w: NumberWord): boolean {
    if (!this.slots.units || this.slots.tens) return false;
    this.slots.tens = true;
    this.addToGroup(w.kind === 'tens' ? w.value : 10);
    this.smallOrdinal = false;
    this.parts++;
    return true;
  }

  /** "and a half" / "с половиной" / "ونصف": half a unit before a scale, half the last scale after it. */
  addHalf(): void {
    if (this.groupHas) this.group = add(this.group, decimal(5, 1));
    else if (this.lastScale) this.total = add(this.total, mul(decimal(5, 1), decimal(this.lastScale)));
    this.onlyOne = false;
    this.parts++;
  }
}
