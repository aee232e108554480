import type { RecordedCall } from './calls';

/** A call's span, from the recorded trace. */
export type CallSpan = Pick<RecordedCall, 'startedAt' | 'endedAt'>;

/**
 * Storage round trips in a row: the longest chain of calls each of which started after the one before had ended.
 * Calls made in parallel overlap, so they count as one step; a call still in flight counts as never ending.
 */
export function roundTripsInARow(calls: readonly CallSpan[]): number {
  const spans = [...calls].sort((a, b) => (a.endedAt ?? Infinity) - (b.endedAt ?? Infinity));
  const chains: number[] = [];
  spans.forEach((call, index) => {
    const before = spans.slice(0, index).map((earlier, at) => ((earlier.endedAt ?? Infinity) <= call.startedAt ? chains[at] : 0));
    chains.push(1 + Math.max(0, ...before));
  });
  return Math.max(0, ...chains);
}

/** The calls of one function, by the invocation that made them (calls made outside an invocation are left out). */
export function callsByRequest(calls: readonly RecordedCall[], functionId: string): Map<string, RecordedCall[]> {
  const byRequest = new Map<string, RecordedCall[]>();
  for (const call of calls) {
    if (call.functionId !== functionId || call.requestId === undefined) continue;
    byRequest.set(call.requestId, [...(byRequest.get(call.requestId) ?? []), call]);
  }
  return byRequest;
}
