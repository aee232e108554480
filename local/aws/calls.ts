import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { RolePolicy } from '../iam';
import type { EnvironmentSession } from '../lambda/local-function';

/**
 * Who calls the local AWS APIs, and what they did. Each local function gets credentials of its own, as Lambda
 * gives each function its role's; a call signed with them is checked against that role's policy. A call with
 * any other credentials (the operator CLI, the tests) is an administrator's and is not checked.
 */
export interface LocalCaller {
  /** The function's logical id in the template. */
  readonly functionId: string;
  readonly policy: RolePolicy;
}

export interface LocalCredentials {
  readonly AWS_ACCESS_KEY_ID: string;
  readonly AWS_SECRET_ACCESS_KEY: string;
  readonly AWS_SESSION_TOKEN: string;
}

/**
 * One allowed call of a function: what the least-privilege test compares with the template's grants, and the
 * per-request trace (which invocation made it, from when the request reached the API to when its answer was
 * written, in `performance.now()` milliseconds of local mode's process).
 */
export interface RecordedCall {
  readonly functionId: string;
  readonly action: string;
  readonly resource: string;
  /** The invocation of the function that made the call, for an execution environment's session. */
  readonly requestId?: string;
  readonly startedAt: number;
  /** Unset until the answer is written. */
  readonly endedAt?: number;
}

/** A caller's credentials, and the invocation its execution environment serves now. */
interface Session {
  readonly caller: LocalCaller;
  requestId?: string;
}

/** A failure local mode injects into matching calls, to test what guichet answers when AWS fails. */
export interface InjectedFault {
  readonly service: 'dynamodb' | 'secretsmanager' | 'sqs';
  /** The operation, e.g. `GetItem`; every operation when unset. */
  readonly operation?: string;
  /** Only calls whose resource ARN contains this text. */
  readonly resourceContains?: string;
  /** An AWS error to answer, or only a delay before the real answer. */
  readonly error?: { readonly type: string; readonly status: number; readonly message: string };
  readonly delayMs?: number;
  /** How many calls it applies to; every call when unset. */
  readonly times?: number;
}

export class AwsServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export class LocalAwsAccount {
  private readonly sessions = new Map<string, Session>();
  private readonly faults: { fault: InjectedFault; remaining: number }[] = [];
  readonly calls: RecordedCall[] = [];

  constructor(
    readonly region: string,
    readonly accountId: string,
  ) {}

  credentialsFor(caller: LocalCaller): LocalCredentials {
    return this.newSession({ caller }).credentials;
  }

  /** Credentials of one execution environment of a function, whose calls are traced to the invocation it serves. */
  environmentSession(caller: LocalCaller): EnvironmentSession {
    const { session, credentials } = this.newSession({ caller });
    return {
      variables: { ...credentials },
      serving: (requestId) => {
        session.requestId = requestId;
      },
    };
  }

  private newSession(session: Session): { session: Session; credentials: LocalCredentials } {
    const accessKeyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
    this.sessions.set(accessKeyId, session);
    const credentials = {
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: randomBytes(30).toString('base64'),
      AWS_SESSION_TOKEN: randomBytes(48).toString('base64'),
    };
    return { session, credentials };
  }

  injectFault(fault: InjectedFault): void {
    this.faults.push({ fault, remaining: fault.times ?? Number.POSITIVE_INFINITY });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /**
   * Checks one call against its caller's policy (AccessDenied as AWS words it), records it, and applies the first
   * matching injected fault. `resources` are the ARNs the action touches (a batch touches several). `iamAction` is
   * the action IAM checks when it is not named as the operation (SQS's SendMessageBatch is `sqs:SendMessage`). The
   * call ends when `response` is written, or when it is authorized if there is no response to wait for.
   */
  async authorize(
    request: IncomingMessage,
    service: InjectedFault['service'],
    operation: string,
    resources: readonly string[],
    { iamAction = operation, response }: { readonly iamAction?: string; readonly response?: ServerResponse } = {},
  ): Promise<void> {
    const startedAt = performance.now();
    const session = this.sessions.get(accessKeyOf(request));
    const caller = session?.caller;
    const action = `${service}:${iamAction}`;
    if (caller) {
      const recorded: { -readonly [key in keyof RecordedCall]: RecordedCall[key] }[] = [];
      const end = () => {
        const endedAt = performance.now();
        for (const call of recorded) call.endedAt ??= endedAt;
      };
      if (response) response.once('finish', end).once('close', end);
      for (const resource of resources) {
        if (!caller.policy.allows(action, resource)) {
          throw new AwsServiceError(
            'AccessDeniedException',
            `User: arn:aws:sts::${this.accountId}:assumed-role/${caller.functionId}/${caller.functionId} is not authorized to perform: ` +
              `${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
          );
        }
        recorded.push({ functionId: caller.functionId, action, resource, requestId: session.requestId, startedAt });
      }
      this.calls.push(...recorded);
      if (!response) end();
    }
    const match = this.faults.find(
      ({ fault, remaining }) =>
        remaining > 0 &&
        fault.service === service &&
        (fault.operation === undefined || fault.operation === operation) &&
        (fault.resourceContains === undefined || resources.some((resource) => resource.includes(fault.resourceContains!))),
    );
    if (!match) return;
    match.remaining -= 1;
    if (match.fault.delayMs) await new Promise((resolve) => setTimeout(resolve, match.fault.delayMs));
    if (match.fault.error) throw new AwsServiceError(match.fault.error.type, match.fault.error.message, match.fault.error.status);
  }
}

/** The access key of a SigV4-signed request: `Credential=<key>/<date>/<region>/<service>/aws4_request`. */
function accessKeyOf(request: IncomingMessage): string {
  return /Credential=([^/,\s]+)\//.exec(request.headers.authorization ?? '')?.[1] ?? '';
}

/** Reads a whole request body (local AWS APIs receive small JSON documents). */
export function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
