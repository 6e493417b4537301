/**
 * The number vocabulary of English, Russian and Arabic as the number reader (`number-reader.ts`) uses it:
 * cardinals in every case form, scale words (singular, dual, plural), ordinals, fractions, zero, percent and
 * currency words, months. Words are looked up {@link fold}ed; Arabic words after their proclitics are taken off.
 *
 * Runs anywhere: no DOM, no Node.
 */
import { arabicBases, fold } from './word-forms';

/** What a number word contributes to a number. */
export type NumberWord =
  /** 0-9 (`one` marks the words for 1, which alone are not a number: "one of", "одна из", "أحد"). */
  | { kind: 'unit'; value: number; one?: boolean }
  /** 10-19 (Arabic عشر/عشرة also completes a teen after a unit: خمسة عشر). */
  | { kind: 'teen'; value: number; arabicTen?: boolean }
  | { kind: 'tens'; value: number }
  /** A whole hundreds word: сто, двести, مائتان, ثلاثمائة. */
  | { kind: 'hundreds'; value: number }
  /** English "hundred", Arabic مائة after a unit ("ثلاث مئة"): multiplies what came before (or 1). */
  | { kind: 'hundred' }
  /** thousand, million...: `count` is how many the word means alone (1 singular, 2 dual, 0 plural: vague). */
  | { kind: 'scale'; value: number; count: 0 | 1 | 2 }
  /** полтора / полторы: 1.5, followed by a scale or a noun. */
  | { kind: 'one-and-half' }
  /** полмиллиона: half a scale in one word. */
  | { kind: 'half-scale'; value: number }
  /** half, نصف. */
  | { kind: 'half' }
  | { kind: 'zero' }
  /** English "a"/"an" before a scale or "hundred". */
  | { kind: 'a' }
  /** An ordinal: the value it stands for and the slot it fills (unit, teen, tens, hundred, scale). */
  | { kind: 'ordinal'; value: number; slot: 'unit' | 'teen' | 'tens' | 'hundreds' | 'hundred' | 'scale'; plural?: boolean };

const table = new Map<string, NumberWord>();
const set = (words: string, w: NumberWord): void => {
  for (const word of words.split(' ')) if (word) table.set(fold(word), w);
};

// English.
set('zero nought', { kind: 'zero' });
set('one', { kind: 'unit', value: 1, one: true });
['two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'].forEach((w, i) => set(w, { kind: 'unit', value: i + 2 }));
['ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'].forEach((w, i) => set(w, { kind: 'teen', value: i + 10 }));
['twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'].forEach((w, i) => set(w, { kind: 'tens', value: (i + 2) * 10 }));
set('hundred', { kind: 'hundred' });
set('thousand', { kind: 'scale', value: 1e3, count: 1 });
set('million', { kind: 'scale', value: 1e6, count: 1 });
set('billion', { kind: 'scale', value: 1e9, count: 1 });
set('trillion', { kind: 'scale', value: 1e12, count: 1 });
set('thousands', { kind: 'scale', value: 1e3, count: 0 });
set('millions', { kind: 'scale', value: 1e6, count: 0 });
set('billions', { kind: 'scale', value: 1e9, count: 0 });
set('trillions', { kind: 'scale', value: 1e12, count: 0 });
set('half', { kind: 'half' });
set('a an', { kind: 'a' });
['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth'].forEach((w, i) => set(w, { kind: 'ordinal', value: i + 1, slot: 'unit' }));
['tenth', 'eleventh', 'twelfth', 'thirteenth', 'fourteenth', 'fifteenth', 'sixteenth', 'seventeenth', 'eighteenth', 'nineteenth'].forEach((w, i) =>
  set(w, { kind: 'ordinal', value: i + 10, slot: 'teen' }),
);
['twentieth', 'thirtieth', 'fortieth', 'fiftieth', 'sixtieth', 'seventieth', 'eightieth', 'ninetieth'].forEach((w, i) => set(w, { kind: 'ordinal', value: (i + 2) * 10, slot: 'tens' }));
set('hundredth', { kind: 'ordinal', value: 100, slot: 'hundred' });
set('thousandth', { kind: 'ordinal', value: 1e3, slot: 'scale' });
set('millionth', { kind: 'ordinal', value: 1e6, slot: 'scale' });

// Russian cardinals in all cases.
set('ноль нуль нуля ноля нулю нолю нулем нолем нуле ноле', { kind: 'zero' });
set('один одна одно одни одного одной одному одним одном одну одних одними одною', { kind: 'unit', value: 1, one: true });
set('два две двух двум двумя двое двоих двоим двоими', { kind: 'unit', value: 2 });
set('три трех трем тремя трое троих троим троими', { kind: 'unit', value: 3 });
set('четыре четырех четырем четырьмя четверо четверых четверым четверыми', { kind: 'unit', value: 4 });
const ruSoft: [string, number][] = [
  ['пят', 5], ['шест', 6], ['сем', 7], ['девят', 9], ['десят', 10], ['одиннадцат', 11], ['двенадцат', 12], ['тринадцат', 13], ['четырнадцат', 14],
  ['пятнадцат', 15], ['шестнадцат', 16], ['семнадцат', 17], ['восемнадцат', 18], ['девятнадцат', 19], ['двадцат', 20], ['тридцат', 30],
];
for (const [stem, value] of ruSoft) {
  const w: NumberWord = value < 10 ? { kind: 'unit', value } : value < 20 ? { kind: 'teen', value } : { kind: 'tens', value };
  set(`${stem}ь ${stem}и ${stem}ью`, w);
}
set('пятеро пятерых пятерым', { kind: 'unit', value: 5 });
set('шестеро шестерых шестерым', { kind: 'unit', value: 6 });
set('семеро семерых семерым', { kind: 'unit', value: 7 });
set('восемь восьми восемью восьмью', { kind: 'unit', value: 8 });
set('сорок сорока', { kind: 'tens', value: 40 });
set('пятьдесят пятидесяти пятьюдесятью', { kind: 'tens', value: 50 });
set('шестьдесят шестидесяти шестьюдесятью', { kind: 'tens', value: 60 });
set('семьдесят семидесяти семьюдесятью', { kind: 'tens', value: 70 });
set('восемьдесят восьмидесяти восемьюдесятью', { kind: 'tens', value: 80 });
set('девяносто девяноста', { kind: 'tens', value: 90 });
set('сто ста', { kind: 'hundreds', value: 100 });
set('двести двухсот двумстам двумястами двухстах', { kind: 'hundreds', value: 200 });
set('триста трехсот тремстам тремястами трехстах', { kind: 'hundreds', value: 300 });
set('четыреста четырехсот четыремстам четырьмястами четырехстах', { kind: 'hundreds', value: 400 });
for (const [nom, gen, ins, value] of [
  ['пятьсот', 'пят', 'пятью', 500],
  ['шестьсот', 'шест', 'шестью', 600],
  ['семьсот', 'сем', 'семью', 700],
  ['восемьсот', 'восьм', 'восемью', 800],
  ['девятьсот', 'девят', 'девятью', 900],
] as const) {
  set(`${nom} ${gen}исот ${gen}истам ${ins}стами ${gen}истах`, { kind: 'hundreds', value });
}
set('тысяча тысячу тысячей тысячею тысяче', { kind: 'scale', value: 1e3, count: 1 });
set('тысячи тысяч тысячам тысячами тысячах тыс', { kind: 'scale', value: 1e3, count: 0 });
for (const [stem, value] of [['миллион', 1e6], ['миллиард', 1e9], ['триллион', 1e12]] as const) {
  set(`${stem} ${stem}а ${stem}у ${stem}ом ${stem}е`, { kind: 'scale', value, count: 1 });
  set(`${stem}ы ${stem}ов ${stem}ам ${stem}ами ${stem}ах`, { kind: 'scale', value, count: 0 });
}
set('млн', { kind: 'scale', value: 1e6, count: 0 });
set('млрд', { kind: 'scale', value: 1e9, count: 0 });
set('трлн', { kind: 'scale', value: 1e12, count: 0 });
set('полтора полторы полутора', { kind: 'one-and-half' });
set('полмиллиона', { kind: 'half-scale', value: 1e6 });
set('полмиллиарда', { kind: 'half-scale', value: 1e9 });
set('полтриллиона', { kind: 'half-scale', value: 1e12 });

// Russian ordinals: a stem and an adjective ending.
const RU_ORDINAL_STEMS: [string, number, 'unit' | 'teen' | 'tens' | 'hundreds' | 'scale'][] = [
  ['перв', 1, 'unit'], ['втор', 2, 'unit'], ['четверт', 4, 'unit'], ['пят', 5, 'unit'], ['шест', 6, 'unit'], ['седьм', 7, 'unit'], ['восьм', 8, 'unit'],
  ['девят', 9, 'unit'], ['десят', 10, 'teen'], ['одиннадцат', 11, 'teen'], ['двенадцат', 12, 'teen'], ['тринадцат', 13, 'teen'], ['четырнадцат', 14, 'teen'],
  ['пятнадцат', 15, 'teen'], ['шестнадцат', 16, 'teen'], ['семнадцат', 17, 'teen'], ['восемнадцат', 18, 'teen'], ['девятнадцат', 19, 'teen'],
  ['двадцат', 20, 'tens'], ['тридцат', 30, 'tens'], ['сороков', 40, 'tens'], ['пятидесят', 50, 'tens'], ['шестидесят', 60, 'tens'], ['семидесят', 70, 'tens'],
  ['восьмидесят', 80, 'tens'], ['девяност', 90, 'tens'], ['сот', 100, 'hundreds'], ['двухсот', 200, 'hundreds'], ['трехсот', 300, 'hundreds'],
  ['четырехсот', 400, 'hundreds'], ['пятисот', 500, 'hundreds'], ['шестисот', 600, 'hundreds'], ['семисот', 700, 'hundreds'], ['восьмисот', 800, 'hundreds'],
  ['девятисот', 900, 'hundreds'], ['тысячн', 1e3, 'scale'], ['двухтысячн', 2e3, 'scale'], ['миллионн', 1e6, 'scale'],
];
const RU_ADJ_SINGULAR = 'ый ой ий ая яя ое ее ого его ому ему ым им ом ем ую юю ей';
const RU_ADJ_PLURAL = 'ые ие ых их ыми ими';
for (const [stem, value, slot] of RU_ORDINAL_STEMS) {
  for (const e of RU_ADJ_SINGULAR.split(' ')) table.set(stem + e, { kind: 'ordinal', value, slot });
  for (const e of RU_ADJ_PLURAL.split(' ')) table.set(stem + e, { kind: 'ordinal', value, slot, plural: true });
}
for (const e of 'ий ья ье ьего ьему ьим ьем ью ьей'.split(' ')) table.set(`трет${e}`, { kind: 'ordinal', value: 3, slot: 'unit' });
for (const e of 'ьи ьих ьими'.split(' ')) table.set(`трет${e}`, { kind: 'ordinal', value: 3, slot: 'unit', plural: true });
for (const e of `${RU_ADJ_SINGULAR} ${RU_ADJ_PLURAL}`.split(' ')) table.set(`нулев${e}`, { kind: 'zero' });

// Arabic (folded: أ إ آ -> ا, ة -> ه, ى -> ي, no diacritics).
const arabic = new Map<string, NumberWord>();
const setAr = (words: string, w: NumberWord): void => {
  for (const word of words.split(' ')) if (word) arabic.set(fold(word), w);
};
setAr('صفر صفري صفريه', { kind: 'zero' });
setAr('واحد واحدة واحدا احد احدى', { kind: 'unit', value: 1, one: true });
setAr('اثنان اثنين اثنتان اثنتين اثنا اثني اثنتا اثنتي', { kind: 'unit', value: 2 });
const arUnits: [string, number][] = [['ثلاث', 3], ['اربع', 4], ['خمس', 5], ['ست', 6], ['سبع', 7], ['تسع', 9]];
for (const [w, v] of arUnits) setAr(`${w} ${w}ة`, { kind: 'unit', value: v });
setAr('ثمان ثماني ثمانية ثمانى', { kind: 'unit', value: 8 });
setAr('عشر عشرة', { kind: 'teen', value: 10, arabicTen: true });
const arTens: [string, number][] = [['عشر', 20], ['ثلاث', 30], ['اربع', 40], ['خمس', 50], ['ست', 60], ['سبع', 70], ['ثمان', 80], ['تسع', 90]];
for (const [w, v] of arTens) setAr(`${w}ون ${w}ين`, { kind: 'tens', value: v });
setAr('مائة مئة مائه مئه', { kind: 'hundred' });
setAr('مائتان مائتين مئتان مئتين مائتا مائتي مئتا مئتي', { kind: 'hundreds', value: 200 });
for (const [w, v] of [['ثلاث', 300], ['اربع', 400], ['خمس', 500], ['ست', 600], ['سبع', 700], ['ثمان', 800], ['تسع', 900]] as const) {
  setAr(`${w}مائة ${w}مئة`, { kind: 'hundreds', value: v });
}
setAr('ثمانمئة ثمانمائة', { kind: 'hundreds', value: 800 });
setAr('الف الفا', { kind: 'scale', value: 1e3, count: 1 });
// Duals, and their construct forms before a noun (ألفي مشارك, مليوني دولار).
setAr('الفان الفين الفي', { kind: 'scale', value: 1e3, count: 2 });
setAr('الاف', { kind: 'scale', value: 1e3, count: 0 });
for (const [stem, plural, value] of [['مليون', 'ملايين', 1e6], ['مليار', 'مليارات', 1e9], ['بليون', 'بلايين', 1e9], ['تريليون', 'تريليونات', 1e12]] as const) {
  setAr(`${stem} ${stem}ا`, { kind: 'scale', value, count: 1 });
  setAr(`${stem}ان ${stem}ين ${stem}ي`, { kind: 'scale', value, count: 2 });
  setAr(plural, { kind: 'scale', value, count: 0 });
}
setAr('نصف', { kind: 'half' });
const arOrdinals: [string, number][] = [
  ['اول اولى', 1], ['ثاني ثان', 2], ['ثالث', 3], ['رابع', 4], ['خامس', 5], ['سادس', 6], ['سابع', 7], ['ثامن', 8], ['تاسع', 9], ['عاشر', 10], ['حادي', 1],
];
for (const [words, value] of arOrdinals) {
  for (const w of words.split(' ')) setAr(`${w} ${w}ة ${w}ا`, { kind: 'ordinal', value, slot: value === 10 ? 'teen' : 'unit' });
}

/** Arabic proclitics a number word may carry; two-letter words only take و ("لست" is not "ست"). */
function lookupArabic(folded: string): { word: NumberWord; conjunction: boolean } | null {
  for (const base of arabicBases(folded)) {
    const prefix = folded.slice(0, folded.length - base.length);
    if (base.length <= 2 && prefix !== '' && prefix !== 'و') continue;
    let word = arabic.get(base);
    // Ordinals and tens take the article: الرابع, العشرين.
    if (!word && base.startsWith('ال')) {
      const bare = arabic.get(base.slice(2));
      if (bare && (bare.kind === 'ordinal' || bare.kind === 'tens' || bare.kind === 'scale' || bare.kind === 'hundred' || bare.kind === 'teen')) word = bare;
    }
    if (word) return { word, conjunction: prefix.startsWith('و') || prefix.startsWith('ف') };
  }
  return null;
}

/** The number meaning of a folded word, and whether it carried an Arabic "and" (وأربعين). */
export function lookupNumberWord(folded: string): { word: NumberWord; conjunction: boolean } | null {
  const direct = table.get(folded);
  if (direct) return { word: direct, conjunction: false };
  if (/[\u0600-\u06ff]/.test(folded)) return lookupArabic(folded);
  return null;
}

/** ISO 4217 codes of currency words, by folded word (Arabic after proclitics). */
const CURRENCY = new Map<string, string>();
const setCur = (code: string, words: string): void => {
  for (const w of words.split(' ')) if (w) CURRENCY.set(fold(w), code);
};
setCur('USD', 'dollar dollars usd доллар доллара долларов долларам долларах долларами долл دولار دولارا دولارات');
setCur('EUR', 'euro euros eur евро يورو');
setCur('RUB', 'rouble roubles ruble rubles rub рубль рубля рублей рублям рублях рублями руб روبل روبلا روبلات');
setCur('UZS', 'soum soums sum uzs сум сума сумов сумам сумах сумами سوم سوما سومات');
setCur('KZT', 'tenge kzt тенге تنغي تينغي');
setCur('CNY', 'yuan renminbi cny юань юаня юаней юанях юанями يوان');
setCur('GBP', 'pound pounds gbp фунт фунта фунтов جنيه');

/** The currency of a folded word after a number ("dollars", "сумов", "دولار"), or null. */
export function currencyWord(folded: string): string | null {
  const direct = CURRENCY.get(folded);
  if (direct) return direct;
  if (/[\u0600-\u06ff]/.test(folded)) {
    for (const base of arabicBases(folded)) {
      const code = CURRENCY.get(base.startsWith('ال') ? base.slice(2) : base);
      if (code) return code;
    }
  }
  return null;
}

/** Currency signs before or after a number. */
export const CURRENCY_SIGNS: Record<string, string> = { $: 'USD', '€': 'EUR', '£': 'GBP', '₽': 'RUB' };

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'] as const;
/** English month names, the unit of a day of the month. */
export type MonthName = (typeof MONTHS)[number];

const MONTH_WORDS = new Map<string, number>();
const RU_MONTHS = [
  /^январ(?:ь|я|е|ю|ем)$/, /^феврал(?:ь|я|е|ю|ем)$/, /^март(?:а|е|у|ом)?$/, /^апрел(?:ь|я|е|ю|ем)$/, /^ма(?:й|я|е|ю|ем)$/, /^июн(?:ь|я|е|ю|ем)$/,
  /^июл(?:ь|я|е|ю|ем)$/, /^август(?:а|е|у|ом)?$/, /^сентябр(?:ь|я|е|ю|ем)$/, /^октябр(?:ь|я|е|ю|ем)$/, /^ноябр(?:ь|я|е|ю|ем)$/, /^декабр(?:ь|я|е|ю|ем)$/,
];
const AR_MONTHS = ['يناير', 'فبراير', 'مارس', 'ابريل', 'مايو', 'يونيو يونيه', 'يوليو يوليه', 'اغسطس', 'سبتمبر', 'اكتوبر', 'نوفمبر', 'ديسمبر'];
// Levantine names (آب, August, is left out: folded it is also "father").
const AR_LEVANT = ['', 'شباط', 'اذار', 'نيسان', 'ايار', 'حزيران', 'تموز', '', 'ايلول', '', '', ''];
MONTHS.forEach((m, i) => {
  MONTH_WORDS.set(m.toLowerCase(), i);
  for (const w of AR_MONTHS[i]!.split(' ')) MONTH_WORDS.set(w, i);
  if (AR_LEVANT[i]) MONTH_WORDS.set(AR_LEVANT[i]!, i);
});

/** The month of a folded word ("march", "марта", "مارس", "آذار"), 0-based, or null. */
export function monthWord(folded: string): number | null {
  const direct = MONTH_WORDS.get(folded);
  if (direct !== undefined) return direct;
  const ru = RU_MONTHS.findIndex((re) => re.test(folded));
  if (ru >= 0) return ru;
  if (/[\u0600-\u06ff]/.test(folded)) {
    for (const base of arabicBases(folded)) {
      const m = MONTH_WORDS.get(base);
      if (m !== undefined && base.length > 2) return m;
    }
  }
  return null;
}

/** The English name of a 0-based month. */
export function monthName(index: number): MonthName {
  return MONTHS[index]!;
}

/** Arabic two-word months: كانون الثاني (January), تشرين الأول (October)... keyed by the first word. */
export function arabicTwoWordMonth(first: string, second: string): number | null {
  const which = second === 'الاول' ? 0 : second === 'الثاني' ? 1 : -1;
  if (which < 0) return null;
  if (first === 'كانون') return which === 0 ? 11 : 0;
  if (first === 'تشرين') return which === 0 ? 9 : 10;
  return null;
}

/** The 0-based index of an English month name (a day-of-month unit), or null for any other unit. */
export function monthIndex(name: string): number | null {
  const i = (MONTHS as readonly string[]).indexOf(name);
  return i >= 0 ? i : null;
}
