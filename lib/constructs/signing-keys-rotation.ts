import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { STACK_SETTINGS } from '../../lambdas/settings';
import type { SigningAlgorithm } from '../../lambdas/shared/signing-algorithms';
import type { KeySchedule } from '../../lambdas/shared/signing-key-schedule';
import { baseLambdaEnvironment } from '../lambda-environment';
import { GuichetFunction } from './guichet-function';

export const SIGNING_KEYS_ROTATION_ENTRY = 'lambdas/rotation/signing-keys.ts';
export const SIGNING_KEYS_ROTATION_INTERVAL = Duration.days(30);

/** What the rotation handler calls, and all it may call. */
const SIGNING_KEYS_ROTATION_ACTIONS: readonly string[] = [
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecretVersionStage',
];

export interface SigningKeysRotationProps {
  /** The signing-keys secret; owned by the stack, so its ARN is the full one a policy can name exactly. */
  readonly secret: secretsmanager.Secret;
  readonly algorithm: SigningAlgorithm;
  /** What a rotation waits for, recorded in the key set: the deployment's key cache time and longest token lifetime. */
  readonly schedule: KeySchedule;
  readonly logRetention: logs.RetentionDays;
}

/**
 * Makes the first key set during the deploy (`keySet`, a custom resource answered by the rotation function:
 * whatever depends on it, the API stage above all, exists only once the secret holds keys), and records in it the
 * schedule its rotations wait for (again on each deploy that changes it), then rotates the keys every 30 days, and
 * once as soon as the schedule is deployed or changed: postponed, as every rotation, until the next key may sign.
 */
export class SigningKeysRotation extends Construct {
  readonly function: GuichetFunction;
  readonly keySet: CustomResource;
  readonly schedule: secretsmanager.RotationSchedule;

  constructor(scope: Construct, id: string, props: SigningKeysRotationProps) {
    super(scope, id);

    this.function = new GuichetFunction(this, 'Function', {
      entry: SIGNING_KEYS_ROTATION_ENTRY,
      // No route configuration: the secret's id comes in each rotation event.
      environment: { ...baseLambdaEnvironment(), [STACK_SETTINGS.signingAlgorithm.envVar]: props.algorithm },
      logRetention: props.logRetention,
      // Generating an RSA key pair can take seconds on a Lambda's share of a vCPU.
      timeoutSeconds: 30,
    });
    this.function.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: [...SIGNING_KEYS_ROTATION_ACTIONS], resources: [props.secret.secretArn] }),
    );
    this.function.function.addPermission('InvokedBySecretsManager', {
      principal: new iam.ServicePrincipal('secretsmanager.amazonaws.com'),
      action: 'lambda:InvokeFunction',
      // Secrets Manager acting for this account only (confused deputy).
      sourceAccount: Stack.of(this).account,
    });

    this.keySet = new CustomResource(this, 'KeySet', {
      serviceToken: this.function.function.functionArn,
      resourceType: 'Custom::SigningKeySet',
      properties: {
        SecretId: props.secret.secretArn,
        KeysCacheSeconds: props.schedule.keysCacheSeconds,
        LongestTokenLifetimeSeconds: props.schedule.longestTokenLifetimeSeconds,
      },
    });
    this.keySet.node.addDependency(this.function);

    this.schedule = props.secret.addRotationSchedule('Rotation', {
      // Given the real function, RotationSchedule would also grant secretsmanager:GetRandomPassword on "*",
      // which key generation never calls; a reference to it gets no grant, the two above replace them.
      rotationLambda: lambda.Function.fromFunctionAttributes(this, 'RotationTarget', {
        functionArn: this.function.function.functionArn,
        sameEnvironment: true,
      }),
      automaticallyAfter: SIGNING_KEYS_ROTATION_INTERVAL,
      rotateImmediatelyOnUpdate: true,
    });
    // The immediate rotation must find the first key set, the role's policy and the invoke permission in place.
    this.schedule.node.addDependency(this.function, this.keySet);
  }
}
