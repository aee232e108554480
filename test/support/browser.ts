/**
 * A minimal browser for end-to-end tests: one cookie jar for 127.0.0.1 (browsers share cookies across
 * ports), manual redirects so each hop can be inspected, and form submission.
 */
export interface Hop {
  readonly url: string;
  readonly status: number;
  readonly location?: string;
}

interface StoredCookie {
  readonly value: string;
  readonly path: string;
}

export class TestBrowser {
  private readonly jar = new Map<string, StoredCookie>();

  cookie(name: string): string | undefined {
    return this.jar.get(name)?.value;
  }

  setCookie(name: string, value: string, path = '/'): void {
    this.jar.set(name, { value, path });
  }

  deleteCookie(name: string): void {
    this.jar.delete(name);
  }

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const cookies = [...this.jar]
      .filter(([, cookie]) => target.pathname.startsWith(cookie.path))
      .map(([name, cookie]) => `${name}=${cookie.value}`);
    const headers = new Headers(init.headers);
    if (cookies.length > 0) headers.set('cookie', cookies.join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) this.store(line);
    return response;
  }

  /** Follows redirects until a non-redirect response, or until `stopAt` says the next URL is the goal. */
  async follow(url: string, stopAt: (next: string) => boolean = () => false): Promise<{ response: Response; hops: Hop[] }> {
    const hops: Hop[] = [];
    let current = url;
    for (let i = 0; i < 20; i += 1) {
      const response = await this.request(current);
      const location = response.headers.get('location') ?? undefined;
      hops.push({ url: current, status: response.status, location });
      if (response.status < 300 || response.status >= 400 || !location) return { response, hops };
      const next = new URL(location, current).href;
      if (stopAt(next)) return { response, hops };
      current = next;
    }
    throw new Error(`too many redirects from ${url}`);
  }

  submitForm(url: string, fields: Record<string, string>): Promise<Response> {
    return this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }

  private store(line: string): void {
    const [pair, ...attributes] = line.split(';').map((part) => part.trim());
    const separator = pair.indexOf('=');
    const name = pair.slice(0, separator);
    const value = pair.slice(separator + 1);
    const attribute = (key: string) => attributes.find((a) => a.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
    const expired = attribute('max-age') === '0' || (attribute('expires') && Date.parse(attribute('expires')!) < Date.now());
    if (expired || value === '') this.jar.delete(name);
    else this.jar.set(name, { value, path: attribute('path') ?? '/' });
  }
}
