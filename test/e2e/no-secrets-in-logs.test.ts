import type { LocalGuichet } from '../../local/start';
import { startTestGuichet } from '../support/integration';
import { TestBrowser } from '../support/browser';
import { signInAtDevIdp } from '../support/dev-idp-login';

let guichet: LocalGuichet;
const logged: string[] = [];

beforeAll(async () => {
  guichet = await startTestGuichet({
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
    POWERTOOLS_DEV: 'false',
  });
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    logged.push(String(chunk));
    return true;
  });
});

afterAll(async () => {
  jest.restoreAllMocks();
  await guichet?.close();
});

describe('logs of a whole web login', () => {
  it('are structured, correlated by request id, and contain no state, code, token or cookie', async () => {
    const browser = new TestBrowser();
    const { callbackUrl } = await signInAtDevIdp(browser, `${guichet.publicUrl}/auth/login`, 'frank');
    await browser.request(callbackUrl.href);
    const sessionToken = browser.cookie('guichet_session')!;
    await browser.request(`${guichet.publicUrl}/auth/session`);
    await browser.request(`${guichet.publicUrl}/auth/logout`, { method: 'POST' });

    const records = logged.flatMap((chunk) => chunk.split('\n')).filter((line) => line.startsWith('{'));
    const messages = records.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(messages.map((m) => m.message)).toEqual(expect.arrayContaining(['session created', 'login succeeded', 'session ended']));
    for (const message of messages) {
      expect(message.correlation_id).toEqual(expect.any(String));
      expect(message.service).toBe('guichet');
    }
    const text = records.join('\n');
    for (const secret of [sessionToken, callbackUrl.searchParams.get('state')!, callbackUrl.searchParams.get('code')!]) {
      expect(text).not.toContain(secret);
    }
  });
});
