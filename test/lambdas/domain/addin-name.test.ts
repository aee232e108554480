import fc from 'fast-check';
import { addinNameFrom, MAX_ADDIN_NAME_LENGTH } from '../../../lambdas/domain/addin-name';
import { InvalidRequest } from '../../../lambdas/shared/errors';

/** Controls, bidi and other format characters, separators, a lone surrogate: named by code point. */
const REFUSED_CODE_POINTS = [
  0x0000, 0x001f, 0x007f, 0x0085, 0x200d, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x2028,
  0x2029, 0xfeff, 0x00ad, 0xd800,
].map((codePoint) => [`U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`, String.fromCodePoint(codePoint)]);

describe('addinNameFrom', () => {
  test('is undefined when the add-in gives no name', () => {
    expect(addinNameFrom(undefined)).toBeUndefined();
  });

  test.each([
    'Calendar',
    'Agenda partagé',
    'Café Crème – Réunions',
    '日历助手',
    'カレンダー',
    'Calendar 📅',
    '🇫🇷 Agenda 👍🏽 ❤️',
    'A name  with  spaces inside',
    'Ünïcödé ÀÉÎÕÜ',
  ])('accepts %s as given', (name) => {
    expect(addinNameFrom(name)).toBe(name);
  });

  test.each([...REFUSED_CODE_POINTS, ['<', '<'], ['>', '>']])('refuses a name holding %s', (_, character) => {
    for (const name of [`Calendar${character}`, `${character}Calendar`, `Cal${character}endar`]) {
      expect(() => addinNameFrom(name)).toThrow(InvalidRequest);
    }
  });

  test.each([
    ['an empty name', ''],
    ['a name of spaces', '   '],
    ['a name of ideographic and no-break spaces', '\u3000\u00a0'],
    ['a number', 42],
    ['null', null],
    ['an object', { name: 'Calendar' }],
  ])('refuses %s', (_, value) => {
    expect(() => addinNameFrom(value)).toThrow(InvalidRequest);
  });

  test('counts code points: 64 emoji are accepted, 65 refused', () => {
    const emoji = '📅';
    expect(addinNameFrom(emoji.repeat(MAX_ADDIN_NAME_LENGTH))).toBe(emoji.repeat(MAX_ADDIN_NAME_LENGTH));
    expect(() => addinNameFrom(emoji.repeat(MAX_ADDIN_NAME_LENGTH + 1))).toThrow(InvalidRequest);
    expect(() => addinNameFrom('x'.repeat(MAX_ADDIN_NAME_LENGTH + 1))).toThrow(InvalidRequest);
  });

  test('whatever it accepts holds no control, format, separator or lone surrogate character', () => {
    // Mostly any code point (a lone surrogate included), so that many names pass and are checked.
    const character = fc.oneof(
      { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), weight: 9 },
      { arbitrary: fc.constantFrom('a', ' ', 'é', '日', '📅', '\u202e', '\u2028', '\u00ad', '\ud800', '\udc00', '\u0085'), weight: 1 },
    );
    const name = fc.array(character, { maxLength: 70 }).map((characters) => characters.join(''));
    fc.assert(
      fc.property(name, (candidate) => {
        let accepted: string | undefined;
        try {
          accepted = addinNameFrom(candidate);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidRequest);
          return;
        }
        expect(accepted).toBe(candidate);
        expect(accepted).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}<>]/u);
        expect([...candidate].length).toBeLessThanOrEqual(MAX_ADDIN_NAME_LENGTH);
        expect(candidate.trim()).not.toBe('');
      }),
      { numRuns: 2000, seed: 20260513 },
    );
  });
});
