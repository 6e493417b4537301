import { describe, expect, it } from 'vitest';
import { readNumbers } from './number-reader';

/** `value unit` of every number in a line. */
const read = (text: string, lang?: string): string[] => readNumbers(text, lang).map((n) => (n.unit ? `${n.value} ${n.unit}` : n.value));
const spans = (text: string, lang?: string): string[] => readNumbers(text, lang).map((n) => n.text);

describe('readNumbers: digits', () => {
  it('reads ASCII, Arabic-Indic and Eastern Arabic-Indic digits, grouped and decimal', () => {
    expect(read('2,300,000 people and 1 000 000 more, 1.5 each', 'en')).toEqual(['2300000', '1000000', '1.5']);
    expect(read('١٢٣٬٤٥٦ و٢٫٥ و۱۲', 'ar')).toEqual(['123456', '2.5', '12']);
    expect(read('11,4 % и 2 300 000 человек', 'ru')).toEqual(['11.4 %', '2300000']);
    expect(read('between 5 and 10 years, 1 000 people, 25 %', 'en')).toEqual(['5', '10', '1000', '25 %']);
  });

  it('does not run a year into a following three-digit number', () => {
    expect(read('в 2030 250 делегатов', 'ru')).toEqual(['2030 year', '250']);
  });

  it('takes scale words and abbreviations, currencies and percent signs around digits', () => {
    expect(read('$4.6m, €250 million, 4,2 млн, 800 млн сумов', 'ru')).toEqual(['4600000 USD', '250000000 EUR', '4200000', '800000000 UZS']);
    expect(read('٢٥٠ مليون يورو و٦٠٪ و٪٧٥', 'ar')).toEqual(['250000000 EUR', '60 %', '75 %']);
    expect(read('260 m of pipe', 'en')).toEqual(['260']);
  });

  it('reads digit ordinals and dates', () => {
    expect(read('on the 21st of June, 2024, the 78th session', 'en')).toEqual(['21 June', '2024 year', '78 ordinal']);
    expect(read('21 июня 2024 года', 'ru')).toEqual(['21 June', '2024 year']);
    expect(read('في ٢١ يونيو ٢٠٢٤', 'ar')).toEqual(['21 June', '2024 year']);
    expect(read('Dushanbe on May 3rd', 'en')).toEqual(['3 May']);
  });
});

describe('readNumbers: English words', () => {
  it('reads scales, "and", hyphens and halves (misses of the old digits-only highlighter)', () => {
    expect(read('three hundred and forty million dollars')).toEqual(['340000000 USD']);
    expect(read('twenty-seven rivers, twelve and a half billion, half a million')).toEqual(['27', '12500000000', '500000']);
    expect(read('a million hectares, nine hundred and ninety-nine households, twelve hundred sensors')).toEqual(['1000000', '999', '1200']);
    expect(read('two point five per cent')).toEqual(['2.5 %']);
  });

  it('reads years, ordinals and dates', () => {
    expect(read('Twenty twenty-two was dry; by twenty thirty; in two thousand and eighteen')).toEqual(['2022 year', '2030 year', '2018 year']);
    expect(read('the seventy-eighth session ends on the twelfth of September')).toEqual(['78 ordinal', '12 September']);
    expect(read('On the fourth of March')).toEqual(['4 March']);
    expect(read('the first of May')).toEqual(['1 May']);
  });

  it('leaves out "one" alone, first/second/third as discourse, and vague plurals', () => {
    expect(read('one of our colleagues; first of all; a second opinion; thousands of families; millions of people')).toEqual([]);
    expect(read('one billion dollars, twenty-one, one per cent')).toEqual(['1000000000 USD', '21', '1 %']);
  });
});

describe('readNumbers: Russian words', () => {
  it('reads every case form, scales, полтора and с половиной', () => {
    expect(read('триста сорок миллионов долларов')).toEqual(['340000000 USD']);
    expect(read('полтора миллиарда долларов')).toEqual(['1500000000 USD']);
    expect(read('двенадцать с половиной миллиардов, полмиллиона, двести тысяч долларов')).toEqual(['12500000000', '500000', '200000 USD']);
    expect(read('для шестидесяти миллионов человек, пятью государствами, сорок одна делегация')).toEqual(['60000000', '5', '41']);
    expect(read('один миллиард сто миллионов сумов')).toEqual(['1100000000 UZS']);
    expect(read('три целых две десятых миллиарда рублей')).toEqual(['3200000000 RUB']);
  });

  it('reads ordinal years and dates', () => {
    expect(read('в две тысячи восемнадцатом году')).toEqual(['2018 year']);
    expect(read('в тысяча девятьсот девяносто третьем году')).toEqual(['1993 year']);
    expect(read('четвёртого марта и третьего мая')).toEqual(['4 March', '3 May']);
    expect(read('семьдесят восьмая сессия, тридцать первое заседание')).toEqual(['78 ordinal', '31 ordinal']);
  });

  it('leaves out одна из, во-вторых, тысячи семей and decades in words', () => {
    expect(read('Одна из коллег; во-первых, во-вторых; Тысячи семей; в девяностые годы; во втором квартале')).toEqual([]);
  });
});

describe('readNumbers: Arabic words', () => {
  it('reads units before tens, scales with و, duals and halves of a scale', () => {
    expect(read('ثلاثمائة وأربعين مليون دولار')).toEqual(['340000000 USD']);
    expect(read('مليونين ونصف المليون دولار')).toEqual(['2500000 USD']);
    expect(read('مليار ونصف المليار دولار')).toEqual(['1500000000 USD']);
    expect(read('سبعة وعشرون نهرا، خمسة وعشرون ألفا، ثلاثة آلاف مندوب')).toEqual(['27', '25000', '3000']);
    expect(read('بمليار ومئتي مليون دولار، مئتي ألف دولار')).toEqual(['1200000000 USD', '200000 USD']);
    expect(read('لاثني عشر مليارا ونصف المليار متر')).toEqual(['12500000000']);
    expect(read('حوالي ألفي مشارك ومليوني دولار')).toEqual(['2000', '2000000 USD']);
    expect(read('تسعين في المائة، خمسة عشر بالمئة، نصف في المائة')).toEqual(['90 %', '15 %', '0.5 %']);
  });

  it('reads years, ordinals and dates', () => {
    expect(read('عام ألفين واثنين وعشرين')).toEqual(['2022 year']);
    expect(read('عام ألف وتسعمائة وثلاثة وتسعين')).toEqual(['1993 year']);
    expect(read('في الرابع من مارس، في الثاني عشر من سبتمبر')).toEqual(['4 March', '12 September']);
    expect(read('في الرابع عشر من تشرين الثاني ٢٠٢٥')).toEqual(['14 November', '2025 year']);
    expect(read('الدورة الثامنة والسبعون، الجلسة الحادية والثلاثون')).toEqual(['78 ordinal', '31 ordinal']);
  });

  it('leaves out أحد, واحدا alone, ثانيا, the second as a time unit and vague plurals', () => {
    expect(read('أحد أكثر زملائنا، ومستشارا واحدا، أولا وثانيا وثالثا، آلاف الأسر، لست متأكدا')).toEqual([]);
    expect(read('كل 30 ثانية')).toEqual(['30']);
  });
});

describe('readNumbers: offsets', () => {
  it('returns what was said, units included', () => {
    const text = 'Uzbekistan will invest three hundred and forty million dollars by 2030.';
    expect(spans(text)).toEqual(['three hundred and forty million dollars', '2030']);
    expect(spans('в 2023 году', 'ru')).toEqual(['2023 году']);
  });
});
