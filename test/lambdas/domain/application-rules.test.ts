import fc from 'fast-check';
import {
  ANY_DOMAIN,
  allowsAnyDomain,
  CLIENT_ID_FORMAT,
  emailDomain,
  mayActFor,
  newClientId,
  normalizeDomain,
  parseScopes,
} from '../../../lambdas/domain/application-rules';

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
const domain = fc.array(label, { minLength: 2, maxLength: 4 }).map((labels) => labels.join('.'));
const localPart = fc.stringMatching(/^[a-z0-9]([a-z0-9._+-]{0,12}[a-z0-9])?$/).filter((local) => !local.includes('..'));
const address = fc.tuple(localPart, domain).map(([local, host]) => `${local}@${host}`);
/** Mostly not addresses: arbitrary text, and arbitrary text around an "@". */
const text = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.tuple(fc.string(), fc.string()).map(([local, host]) => `${local}@${host}`),
);
/** Fixed, so that a failure is reproducible. */
const runs = { seed: 20260513 };

describe('mayActFor (property-based)', () => {
  it('accepts any address of an allowed domain, whatever its letter case', () => {
    fc.assert(
      fc.property(localPart, domain, fc.boolean(), (local, allowed, upper) => {
        const address = `${local}@${upper ? allowed.toUpperCase() : allowed}`;
        return mayActFor(address, [allowed]);
      }),
      runs,
    );
  });

  it('refuses every other domain: no suffix, prefix or look-alike match', () => {
    fc.assert(
      fc.property(localPart, domain, domain, (local, allowed, other) => {
        fc.pre(other !== allowed);
        return (
          !mayActFor(`${local}@${other}`, [allowed]) &&
          !mayActFor(`${local}@${other}.${allowed}`, [allowed]) &&
          !mayActFor(`${local}@${allowed}.${other}`, [allowed]) &&
          !mayActFor(`${local}@x${allowed}`, [allowed]) &&
          !mayActFor(`${local}@${allowed.replace('.', '-')}`, [allowed])
        );
      }),
      runs,
    );
  });

  it('refuses every address when no domain is listed: no delegation', () => {
    fc.assert(
      fc.property(address, fc.boolean(), (email, upper) => !mayActFor(upper ? email.toUpperCase() : email, [])),
      runs,
    );
  });

  it('accepts any valid address with the wildcard alone', () => {
    fc.assert(
      fc.property(address, fc.boolean(), (email, upper) => mayActFor(upper ? email.toUpperCase() : email, [ANY_DOMAIN])),
      runs,
    );
  });

  it('refuses anything that is not a single address, even with the wildcard', () => {
    fc.assert(
      fc.property(text, (candidate) => {
        fc.pre(emailDomain(candidate) === undefined);
        return !mayActFor(candidate, [ANY_DOMAIN]) && !mayActFor(candidate, []);
      }),
      runs,
    );
  });

  it('gives the wildcard no power beside other domains: only the listed ones match', () => {
    fc.assert(
      fc.property(localPart, domain, domain, (local, allowed, other) => {
        fc.pre(other !== allowed);
        return mayActFor(`${local}@${allowed}`, [ANY_DOMAIN, allowed]) && !mayActFor(`${local}@${other}`, [ANY_DOMAIN, allowed]);
      }),
      runs,
    );
  });

  it.each([[['*.example.com']], [['**']], [[' *']], [['*', '*']]])('does not read %j as the wildcard', (allowed) => {
    expect(mayActFor('ada@sub.example.com', allowed)).toBe(false);
  });

  it.each([
    'ada@evil-example.com',
    'ada@example.com.evil.org',
    'ada@sub.example.com',
    'ada@example.com@x.org',
    '"ada"@example.com',
    'ada@[127.0.0.1]',
    '.ada@example.com',
    'ada@example.com.',
  ])('refuses %s for example.com', (address) => {
    expect(mayActFor(address, ['example.com'])).toBe(false);
  });

  it('refuses even a valid address when no domain is listed', () => {
    expect(mayActFor('ada@anywhere.org', [])).toBe(false);
  });
});

describe('allowsAnyDomain', () => {
  it.each([
    [['*'], true],
    [[], false],
    [['example.com'], false],
    [['*', 'example.com'], false],
    [['*', '*'], false],
    [['*.example.com'], false],
  ])('%j: %p', (allowed, expected) => {
    expect(allowsAnyDomain(allowed)).toBe(expected);
  });
});

describe('normalizeDomain', () => {
  it('lower-cases and trims', () => {
    expect(normalizeDomain(' Example.COM ')).toBe('example.com');
  });

  it.each(['localhost', 'exa mple.com', '-a.com', 'a-.com', 'a..com', `${'a'.repeat(64)}.com`, 'example.com/x', '*.example.com'])(
    'refuses %s',
    (text) => {
      expect(() => normalizeDomain(text)).toThrow(/invalid domain/);
    },
  );
});

describe('parseScopes', () => {
  it('splits on spaces or commas, dropping repeats', () => {
    expect(parseScopes('read, write read  admin:all')).toEqual(['read', 'write', 'admin:all']);
  });

  it.each(['"quoted"', 'back\\slash', 'é'])('refuses the scope token %s', (text) => {
    expect(() => parseScopes(text)).toThrow(/invalid scope/);
  });

  it('splits a token request only on spaces (RFC 6749 §3.3), so a tab is refused there', () => {
    expect(() => parseScopes('read\twrite', / +/)).toThrow(/invalid scope/);
  });
});

describe('newClientId', () => {
  it('is unique and well-formed', () => {
    const ids = new Set(Array.from({ length: 100 }, newClientId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(CLIENT_ID_FORMAT);
  });
});
