import { LAMBDA_MEMORY_MB } from '../lib/bundling';
import { type OperationCounts, requestUnits } from './dynamodb-operations';
import type { RouteMeasurement } from './http-load';
import { LOGOUT_ROUTE, type LogoutScale } from './logout-scale';
import prices from './prices.json';

/** One flow as measured locally: how long its handler ran and what it asked of DynamoDB. */
export interface FlowMeasurement {
  readonly flow: string;
  readonly durationMs: number;
  readonly operations: OperationCounts;
}

/**
 * The flows priced: each measured route with its latency on one connection (what one Lambda instance spends
 * on one request), and the back-channel logout with 10,000 other sessions in the table.
 */
export function measuredFlows(routes: readonly RouteMeasurement[], logout: LogoutScale): FlowMeasurement[] {
  return [
    ...routes.map((route) => ({ flow: route.target, durationMs: route.serial.p50Ms, operations: route.operations })),
    { flow: LOGOUT_ROUTE, durationMs: logout.many.p50Ms, operations: logout.many.operations },
  ];
}

/** Dollars per million requests of a flow, by what bills them. */
export interface FlowCost {
  readonly flow: string;
  readonly billedMs: number;
  readonly readUnits: number;
  readonly writeUnits: number;
  readonly lambdaRequests: number;
  readonly lambdaDuration: number;
  readonly httpApi: number;
  readonly dynamoDb: number;
  readonly total: number;
}

export interface CostModel {
  readonly pricesAsOf: string;
  readonly region: string;
  readonly memoryMb: number;
  readonly flows: readonly FlowCost[];
  readonly cognitoMachineToMachine: { readonly perMillionTokens: number; readonly perAppClientPerMonth: number };
}

/**
 * The AWS price of a million requests of each flow, from bench/prices.json: one HTTP API request, one Lambda
 * invocation billed per millisecond of the measured duration at LAMBDA_MEMORY_MB on arm64, and the on-demand
 * request units of its DynamoDB operations.
 */
export function costModel(measurements: readonly FlowMeasurement[]): CostModel {
  const gigabytes = LAMBDA_MEMORY_MB / 1024;
  return {
    pricesAsOf: prices.asOf,
    region: prices.region,
    memoryMb: LAMBDA_MEMORY_MB,
    flows: measurements.map(({ flow, durationMs, operations }) => {
      const billedMs = Math.max(1, Math.ceil(durationMs / prices.lambda.billingGranularityMs) * prices.lambda.billingGranularityMs);
      let readUnits = 0;
      let writeUnits = 0;
      for (const [label, count] of Object.entries(operations)) {
        const units = requestUnits(label);
        readUnits += units.read * count;
        writeUnits += units.write * count;
      }
      const lambdaRequests = prices.lambda.pricePerMillionRequests;
      const lambdaDuration = 1e6 * gigabytes * (billedMs / 1000) * prices.lambda.pricePerGbSecond;
      const httpApi = prices.httpApi.pricePerMillionRequests;
      const dynamoDb =
        readUnits * prices.dynamoDbOnDemand.pricePerMillionReadRequestUnits +
        writeUnits * prices.dynamoDbOnDemand.pricePerMillionWriteRequestUnits;
      return {
        flow,
        billedMs,
        readUnits,
        writeUnits,
        lambdaRequests,
        lambdaDuration,
        httpApi,
        dynamoDb,
        total: lambdaRequests + lambdaDuration + httpApi + dynamoDb,
      };
    }),
    cognitoMachineToMachine: {
      perMillionTokens: prices.cognitoMachineToMachine.pricePerThousandTokenRequests * 1000,
      perAppClientPerMonth: prices.cognitoMachineToMachine.pricePerAppClientPerMonth,
    },
  };
}
