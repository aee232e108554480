import { InvalidRequest } from '../shared/errors';

/** In code points, as a person counts characters. */
export const MAX_ADDIN_NAME_LENGTH = 64;

/**
 * What a name shown to a person must not hold: controls (Cc), invisible format characters such as
 * bidirectional overrides, zero-width marks and soft hyphens (Cf), line and paragraph separators (Zl, Zp),
 * which can make the confirmation page say something else than it seems to; lone surrogates (Cs: with the
 * `u` flag only unpaired ones match); and markup brackets.
 */
const FORBIDDEN_CHARACTER = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}<>]/u;

/** The name an add-in gives itself, shown (as text) on the confirmation page; undefined when it gives none. */
export function addinNameFrom(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '' || [...value].length > MAX_ADDIN_NAME_LENGTH || FORBIDDEN_CHARACTER.test(value)) {
    throw new InvalidRequest(
      `addin_name must be a non-blank string of at most ${MAX_ADDIN_NAME_LENGTH} visible characters, without < or >`,
    );
  }
  return value;
}
