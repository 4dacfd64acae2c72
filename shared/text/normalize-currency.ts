import type { CurrencyOptions } from 'to-words/types';
import type { NumberWords } from './number-words.ts';

/**
 * Reads amounts of money: "$3.50" → "three dollars and fifty cents", "-€5" → "minus five euros",
 * "£1.2m" → "one point two million pounds", "A$5" → "five Australian dollars", "100 JPY" → "one
 * hundred yen", "99¢" → "ninety-nine cents". Whole amounts and amounts with up to the currency's minor digits go through to-words'
 * currency mode; amounts with more digits, or with a scale word, are read as decimals.
 */

interface Currency {
  options: CurrencyOptions;
  /** Minor-unit digits; 0 for currencies without one in use (yen). */
  precision: number;
}

function currency(name: string, plural: string, minor: string, minorPlural: string, precision = 2): Currency {
  return {
    precision,
    options: {
      name,
      plural,
      singular: name,
      symbol: '',
      precision,
      fractionalUnit: { name: minor, plural: minorPlural, singular: minor, symbol: '' },
    },
  };
}

const dollar = currency('Dollar', 'Dollars', 'Cent', 'Cents');
const euro = currency('Euro', 'Euros', 'Cent', 'Cents');
const pound = currency('Pound', 'Pounds', 'Penny', 'Pence');
const yen = currency('Yen', 'Yen', 'Sen', 'Sen', 0);
const rupee = currency('Rupee', 'Rupees', 'Paisa', 'Paise');
const cent = currency('Cent', 'Cents', 'Cent', 'Cents', 0);

const dollarCountries: Record<string, string> = {
  US: 'US',
  A: 'Australian',
  AU: 'Australian',
  C: 'Canadian',
  CA: 'Canadian',
  NZ: 'New Zealand',
  HK: 'Hong Kong',
  S: 'Singapore',
};
const bySymbol: Record<string, Currency> = { $: dollar, '€': euro, '£': pound, '¥': yen, '₹': rupee };
const byCode: Record<string, Currency> = { USD: dollar, EUR: euro, GBP: pound, JPY: yen, INR: rupee };

const scaleWords: Record<string, string> = {
  k: 'thousand',
  m: 'million',
  mn: 'million',
  b: 'billion',
  bn: 'billion',
  thousand: 'thousand',
  million: 'million',
  billion: 'billion',
  trillion: 'trillion',
};

const amount = String.raw`\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+`;
const scale = String.raw`(?:\s(thousand|million|billion|trillion)|(k|K|m|M|mn|b|B|bn|BN))(?![\p{L}\p{N}])`;
const moneyPattern = new RegExp(
  [
    String.raw`(?<![\p{L}\p{N}])([-−])?(US|AU|A|CA|C|NZ|HK|S)?([$€£¥₹])\s?(${amount})(?:${scale})?`,
    String.raw`(?<![\p{L}\p{N}.,])(${amount})\s?(USD|EUR|GBP|JPY|INR)(?![\p{L}\p{N}])`,
    String.raw`(?<![\p{L}\p{N}.,])(\d+)\s?¢`,
  ].join('|'),
  'gu',
);

function speakAmount(words: NumberWords, value: string, money: Currency, scaleWord?: string): string {
  const [integer = '', fraction = ''] = value.replaceAll(',', '').split('.');
  const unit = (money.options.plural ?? '').toLowerCase();
  if (scaleWord !== undefined) {
    const number = fraction ? words.decimal(integer, fraction) : words.cardinal(integer);
    return `${number} ${scaleWord} ${unit}`;
  }
  if (fraction.length > money.precision || integer.length > 15) {
    return `${fraction ? words.decimal(integer, fraction) : words.cardinal(integer)} ${unit}`;
  }
  const onlyMinor = /^0*$/u.test(integer) && /[1-9]/u.test(fraction);
  const spoken = words.toWords.convert(`${integer || '0'}${fraction ? `.${fraction}` : ''}`, {
    currency: true,
    doNotAddOnly: true,
    ignoreZeroCurrency: onlyMinor,
    currencyOptions: money.options,
  });
  return words.tidy(spoken);
}

/** Replaces amounts of money with words. English only: other locales are returned unchanged. */
export function normalizeCurrency(text: string, words: NumberWords): string {
  if (!words.english) return text;
  return text.replace(moneyPattern, (...groups: (string | undefined)[]) => {
    const [match = '', sign, country, symbol, value, scaleWord, scaleLetter, codeValue, code, cents] = groups;
    if (symbol !== undefined && value !== undefined) {
      const money = bySymbol[symbol] ?? dollar;
      const scaleKey = (scaleWord ?? scaleLetter)?.toLowerCase();
      const scaled = scaleKey === undefined ? undefined : scaleWords[scaleKey];
      let spoken = speakAmount(words, value, money, scaled);
      const countryName = country === undefined || symbol !== '$' ? undefined : dollarCountries[country];
      if (countryName) spoken = spoken.replace(/\bdollars?\b/u, `${countryName} $&`);
      return sign ? `minus ${spoken}` : spoken;
    }
    if (codeValue !== undefined && code !== undefined)
      return speakAmount(words, codeValue, byCode[code] ?? dollar);
    if (cents !== undefined) return speakAmount(words, cents, cent);
    return match;
  });
}
