import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ToWords } from 'to-words';
import { normalizeText } from './normalize.ts';
import { dateParserNames } from './normalize-dates.ts';

/** Normalises and fails the test if any rule reported an error on the way. */
function normalized(text: string, locale?: string): string {
  const errors: string[] = [];
  const output = normalizeText(text, { locale, onError: (error, rule) => errors.push(`${rule}: ${error}`) });
  assert.deepEqual(errors, []);
  return output;
}

const english: Record<string, [input: string, expected: string][]> = {
  integers: [
    ['I have 42 apples.', 'I have forty-two apples.'],
    [
      'There are 1,234,567 people.',
      'There are one million two hundred thirty-four thousand five hundred sixty-seven people.',
    ],
    ['code 007', 'code zero zero seven'],
    ['the H100 and MP3', 'the H one hundred and MP three'],
    ['a 1500 m race', 'a one thousand five hundred m race'],
    ['1,2,3', 'one, two, three'],
  ],
  negatives: [
    ['It was -5 degrees.', 'It was minus five degrees.'],
    ['Down (−3.5) points', 'Down (minus three point five) points'],
    ['COVID-19', 'COVID nineteen'],
  ],
  decimals: [
    ['Pi is 3.14159.', 'Pi is three point one four one five nine.'],
    ['Add .5 cups.', 'Add point five cups.'],
    ['It is 3.5 and 0.5.', 'It is three point five and zero point five.'],
    ['Version 1.2.3', 'Version one point two point three'],
    ['Ping 192.168.1.1', 'Ping one hundred ninety-two dot one hundred sixty-eight dot one dot one'],
  ],
  currency: [
    ['The price is $3.50.', 'The price is three dollars and fifty cents.'],
    ['It costs $1.', 'It costs one dollar.'],
    ['Only $0.99!', 'Only ninety-nine cents!'],
    ['Pay €20 or £2.01 or ¥1000.', 'Pay twenty euros or two pounds and one penny or one thousand yen.'],
    ['They lost -$5.', 'They lost minus five dollars.'],
    ['A $1.2 million round', 'A one point two million dollars round'],
    ['Worth $3k or A$5', 'Worth three thousand dollars or five Australian dollars'],
    ['Send 100 USD and 99¢.', 'Send one hundred dollars and ninety-nine cents.'],
    ['$1,234.56', 'one thousand two hundred thirty-four dollars and fifty-six cents'],
  ],
  percentages: [
    ['Save 25% today.', 'Save twenty-five percent today.'],
    ['Down 3.5% and -2%.', 'Down three point five percent and minus two percent.'],
  ],
  ordinals: [
    [
      'the 1st, 2nd, 3rd, 4th, 11th, 22nd and 101st',
      'the first, second, third, fourth, eleventh, twenty-second and one hundred first',
    ],
  ],
  dates: [
    ['Born 2024-01-05.', 'Born January fifth, twenty twenty-four.'],
    ['On Jan. 5th, 2024, we met.', 'On January fifth, twenty twenty-four, we met.'],
    ['On 5 January 2024.', 'On January fifth, twenty twenty-four.'],
    ['Due 1/5/2024.', 'Due January fifth, twenty twenty-four.'],
    ['On March 3rd we left.', 'On March third we left.'],
    ['the 5th of January 2024', 'the fifth of January, twenty twenty-four'],
    ['from Sep 12-13', 'from September twelfth to thirteenth'],
    ['Sat Aug 17 2013', 'Saturday, August seventeenth, twenty thirteen'],
    ['at 2024-01-05T10:00:00Z', 'at January fifth, twenty twenty-four at ten AM'],
    [
      'He scored 7.30 on Jan 5, 2024.',
      'He scored seven point three zero on January fifth, twenty twenty-four.',
    ],
    ['ratio 3/4', 'ratio three quarters'],
  ],
  years: [
    ['In 1999 and 2024.', 'In nineteen ninety-nine and twenty twenty-four.'],
    ['In 2005 and 2000.', 'In two thousand five and two thousand.'],
    ['In 1905 and 1900.', 'In nineteen oh five and nineteen hundred.'],
    ['In 1850 it began; 1850 rows.', 'In eighteen fifty it began; one thousand eight hundred fifty rows.'],
    ['Since 1066 AD.', 'Since ten sixty-six AD.'],
    ['the 1990s and the ’80s', 'the nineteen nineties and the eighties'],
    ['From 2019–2020', 'From twenty nineteen to twenty twenty'],
  ],
  times: [
    ['at 3:45 pm', 'at three forty-five PM'],
    ['at 3:45pm.', 'at three forty-five PM.'],
    ['at 3 p.m. Then we left.', 'at three PM. Then we left.'],
    ['at 3 p.m. Doctor Who left', 'at three PM Doctor Who left'],
    ['Meet at 14:00.', 'Meet at two PM.'],
    ['at 07:30 and 00:15', 'at seven thirty AM and twelve fifteen AM'],
    ['at 10:00 or 3:05', "at ten o'clock or three oh five"],
    ['at 12:30 am', 'at twelve thirty AM'],
    ['at 10:30:15', 'at ten thirty and fifteen seconds'],
    ['John 3:16', 'John three sixteen'],
  ],
  symbols: [
    ['A & B', 'A and B'],
    ['C++ is fun', 'C plus plus is fun'],
    ['2+2=4', 'two plus two equals four'],
    ['email me @ home', 'email me at home'],
    ['track #5 and #summer', 'track number five and hashtag summer'],
    ['It was 20°C.', 'It was twenty degrees Celsius.'],
    ['x < y', 'x less than y'],
    ['rock and/or roll', 'rock and or roll'],
    ['~5 minutes', 'about five minutes'],
    ['a 16:9 screen', 'a sixteen to nine screen'],
    ['1/2 and 2/3, open 24/7.', 'one half and two thirds, open twenty-four seven.'],
    ['pages 10-12', 'pages ten to twelve'],
  ],
  addresses: [
    ['See https://www.example.com/docs?page=2.', 'See w w w dot example dot com slash docs.'],
    ['Visit example.com/docs for more.', 'Visit example dot com slash docs for more.'],
    ['Mail jane@example.com now.', 'Mail jane at example dot com now.'],
    [
      'Mail jane.doe+tts@mail.example.co.uk.',
      'Mail jane dot doe plus tts at mail dot example dot co dot uk.',
    ],
    ['Node.js and file.txt stay', 'Node.js and file.txt stay'],
  ],
  abbreviations: [
    ['Dr. Smith met Mr. Jones and Mrs. Brown.', 'Doctor Smith met Mister Jones and Missus Brown.'],
    ['St. John lives on Baker St. The house is red.', 'Saint John lives on Baker Street. The house is red.'],
    [
      'Apples, e.g. red ones, i.e. tasty, etc. and more.',
      'Apples, for example red ones, that is tasty, et cetera and more.',
    ],
    ['Pears, etc. Then more.', 'Pears, et cetera. Then more.'],
    ['Red vs. Blue', 'Red versus Blue'],
    ['Martin Luther King Jr. spoke.', 'Martin Luther King Junior spoke.'],
    ['No. 5 and Fig. 2', 'number five and figure two'],
    ['C# is a language', 'C sharp is a language'],
    ['Elm Dr. is long and the U.S. is big', 'Elm Dr. is long and the U.S. is big'],
  ],
  phones: [
    ['Call 555-123-4567.', 'Call five five five, one two three, four five six seven.'],
    ['Call (555) 123-4567', 'Call five five five, one two three, four five six seven'],
  ],
  whitespace: [
    ['  lots   of \t space \n here  ', 'lots of space here'],
    ['nul\u0000byte and lone \uD800 surrogate', 'nul byte and lone \uFFFD surrogate'],
    ['', ''],
    ['No numbers here.', 'No numbers here.'],
  ],
  paragraph: [
    [
      'Dr. Smith paid $3.50 on Jan. 5th, 2024, at 3:45 pm; see example.com/docs or mail jane@example.com.',
      'Doctor Smith paid three dollars and fifty cents on January fifth, twenty twenty-four, at three ' +
        'forty-five PM; see example dot com slash docs or mail jane at example dot com.',
    ],
  ],
};

describe('normalizeText, English', () => {
  for (const [category, cases] of Object.entries(english)) {
    describe(category, () => {
      for (const [input, expected] of cases) {
        test(JSON.stringify(input), () => assert.equal(normalized(input), expected));
      }
    });
  }

  test('the table covers at least 40 cases', () => {
    assert.ok(Object.values(english).flat().length >= 40);
  });

  test('reads numeric dates day first outside the US', () => {
    assert.equal(
      normalized('Due 1/5/2024 or 31/12/2024.', 'en-GB'),
      'Due May first, twenty twenty-four or December thirty-first, twenty twenty-four.',
    );
    assert.equal(normalized('Due 1/5/2024.', 'en'), 'Due January fifth, twenty twenty-four.');
  });

  test('reads currency names, not locale defaults, in other English locales', () => {
    assert.equal(
      normalized('It costs $3.50 or £2.', 'en-GB'),
      'It costs three dollars and fifty cents or two pounds.',
    );
  });

  test('uses the locale’s own number words (en-IN lakh)', () => {
    assert.equal(normalized('1,00,000 people', 'en-IN'), 'one lakh people');
  });

  test('keeps the chrono parsers it relies on and drops the time-of-day ones', () => {
    assert.deepEqual(dateParserNames(), [
      'ENYearMonthDayParser',
      'ISOFormatParser',
      'SlashDateFormatParser',
      'ENMonthNameLittleEndianParser',
      'ENMonthNameMiddleEndianParser',
      'ENWeekdayParser',
      'ENSlashMonthFormatParser',
      'ENYearMonthNameParser',
    ]);
  });
});

describe('normalizeText, other locales', () => {
  test('reads numbers with the locale’s separators through to-words', () => {
    assert.equal(
      normalized('Ich habe 3 Äpfel und 1.234,5 Liter, -2 Grad.', 'de-DE'),
      'Ich habe drei Äpfel und tausend zwei hundert vierunddreißig komma fünf Liter, minus zwei Grad.',
    );
    assert.equal(normalized("J'ai 1 234 pommes.", 'fr'), "J'ai mille deux cent trente-quatre pommes.");
  });

  test('writes numbers without spaces in Japanese', () => {
    assert.equal(normalized('りんごが3個', 'ja'), 'りんごが三個');
  });

  test('leaves everything but whitespace alone where to-words has no such language', () => {
    assert.equal(normalized('Dr.  Smith paid $3.50', 'tlh'), 'Dr. Smith paid $3.50');
    assert.equal(normalized('Dr.  Smith paid $3.50', 'not a locale'), 'Dr. Smith paid $3.50');
  });

  test('applies no English rules to other languages', () => {
    // Dates and times stay for espeak-ng, which reads them in the language.
    assert.equal(
      normalized('Dr. Müller & Co. am 5.1.2024 um 14:30', 'de-DE'),
      'Dr. Müller & Co. am 5.1.2024 um 14:30',
    );
  });
});

describe('normalizeText, robustness', () => {
  test('skips a rule that throws, reports it and goes on with the others', (t) => {
    t.mock.method(ToWords.prototype, 'convert', () => {
      throw new Error('to-words broke');
    });
    const reported: string[] = [];
    const output = normalizeText('Dr. Smith paid $3.50 & left.', {
      onError: (error, rule) => reported.push(`${rule}: ${(error as Error).message}`),
    });
    assert.equal(output, 'Doctor Smith paid $3.50 and left.');
    assert.deepEqual(reported, ['currency: to-words broke', 'numbers: to-words broke']);
  });
});
