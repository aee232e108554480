import type { HttpResult } from '../../../../lambdas/shared/http';
import { noStore } from '../../../../lambdas/shared/middleware/no-store';
import { httpEvent, middyRequest } from '../../../support/api-event';

function run(phase: 'after' | 'onError', response: HttpResult | null) {
  const request = middyRequest(httpEvent(), response, phase === 'onError' ? new Error('failed') : null);
  noStore()[phase]!(request);
  return request.response;
}

describe('noStore', () => {
  test.each(['after', 'onError'] as const)('forbids storing the response (%s)', (phase) => {
    expect(run(phase, { statusCode: 200, headers: { 'X-Other': '1' } })?.headers).toEqual({
      'X-Other': '1',
      'Cache-Control': 'no-store',
      Pragma: 'no-cache',
    });
  });

  test('keeps a Cache-Control the handler chose, in any letter case, without adding Pragma', () => {
    expect(run('after', { statusCode: 200, headers: { 'cache-control': 'public, max-age=300' } })?.headers).toEqual({
      'cache-control': 'public, max-age=300',
    });
  });

  test('leaves a missing response alone', () => {
    expect(run('after', null)).toBeNull();
  });
});
