import type { RecordedCall } from '../../../local/aws/calls';
import { callsByRequest, roundTripsInARow } from '../../../local/aws/trace';

const span = (startedAt: number, endedAt?: number) => ({ startedAt, endedAt });
const call = (functionId: string, requestId: string | undefined, startedAt: number, endedAt: number): RecordedCall => ({
  functionId,
  action: 'dynamodb:GetItem',
  resource: 'arn:aws:dynamodb:eu-west-1:000000000000:table/t',
  requestId,
  startedAt,
  endedAt,
});

describe('storage round trips in a row', () => {
  it('counts calls one after another, each a step', () => {
    expect(roundTripsInARow([span(0, 1), span(2, 3), span(4, 5)])).toBe(3);
  });

  it('counts calls made in parallel as one step', () => {
    expect(roundTripsInARow([span(0, 3), span(1, 2), span(4, 6), span(4.5, 5)])).toBe(2);
  });

  it('takes the longest chain, whatever the order of the records', () => {
    // A long call beside a chain of three short ones.
    expect(roundTripsInARow([span(7, 9), span(0, 10), span(0, 2), span(3, 5)])).toBe(3);
  });

  it('counts a call that starts as another ends as after it, and a call in flight as never ending', () => {
    expect(roundTripsInARow([span(0, 1), span(1, 2)])).toBe(2);
    expect(roundTripsInARow([span(0), span(5, 6)])).toBe(1);
    expect(roundTripsInARow([])).toBe(0);
  });

  it("groups one function's calls by the invocation that made them, leaving out the others", () => {
    const calls = [
      call('Token', 'a', 0, 1),
      call('Token', 'b', 0, 1),
      call('Token', 'a', 2, 3),
      call('Other', 'a', 0, 1),
      call('Token', undefined, 0, 1),
    ];
    const byRequest = callsByRequest(calls, 'Token');
    expect([...byRequest.keys()]).toEqual(['a', 'b']);
    expect(byRequest.get('a')).toEqual([calls[0], calls[2]]);
  });
});
