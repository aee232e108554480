import { consoleModeFrom, LocalLog } from '../../local/local-log';

const printed = () => {
  const lines: string[] = [];
  return {
    lines,
    write: (text: string) =>
      lines.push(
        ...text
          .trimEnd()
          .split('\n')
          .map((line) => line.replace(/^\d\d:\d\d:\d\d\.\d{3} /, '')),
      ),
  };
};

describe('the local log', () => {
  it('prints one compact line per request, folding a run of identical ones into a count', () => {
    const out = printed();
    const log = new LocalLog('compact', out.write);
    for (let i = 0; i < 5; i += 1) log.request({ method: 'GET', path: '/auth/session', status: 401, ms: 3 });
    log.request({ method: 'POST', path: '/auth/logout', status: 302, ms: 9 });
    expect(out.lines).toEqual(['GET /auth/session 401 3 ms', '(GET /auth/session 401 4 more times)', 'POST /auth/logout 302 9 ms']);
  });

  it("shows a function's warnings and errors in a line, keeps its info records and metrics without printing them", () => {
    const out = printed();
    const log = new LocalLog('compact', out.write);
    log.log('AuthCallback', JSON.stringify({ level: 'INFO', message: 'login succeeded', flow: 'web', timestamp: 'x', service: 'guichet' }));
    log.log(
      'AuthCallback',
      JSON.stringify({
        level: 'WARN',
        message: 'dependency failed',
        dependency: 'idp',
        error: { name: 'TypeError', message: 'fetch failed' },
      }),
    );
    log.log('AuthCallback', JSON.stringify({ _aws: { CloudWatchMetrics: [] }, LoginSucceeded: 1 }));
    expect(out.lines).toEqual(['AuthCallback WARN dependency failed dependency=idp error=TypeError: fetch failed']);
    expect(log.records.map((record) => record.json?.message)).toEqual(['login succeeded', 'dependency failed']);
    expect(log.metrics).toEqual([{ _aws: { CloudWatchMetrics: [] }, LoginSucceeded: 1 }]);
  });

  it('prints the records as they are with GUICHET_LOCAL_LOG=json, and nothing with quiet', () => {
    const json = printed();
    new LocalLog(consoleModeFrom('json'), json.write).log('F', '{"level":"INFO","message":"m"}');
    expect(json.lines).toEqual(['{"level":"INFO","message":"m"}']);
    const quiet = printed();
    const log = new LocalLog(consoleModeFrom('quiet'), quiet.write);
    log.request({ method: 'GET', path: '/', status: 200, ms: 1 });
    log.log('F', '{"level":"ERROR","message":"m"}');
    expect(quiet.lines).toEqual([]);
    expect(() => consoleModeFrom('loud')).toThrow('GUICHET_LOCAL_LOG must be one of compact, json, quiet, got "loud"');
  });
});
