import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { ROUTES } from '../lambdas/routes';
import { SECRETS, type SecretName } from '../lambdas/secrets';
import { TABLES, TABLE_NAMES, type TableName } from '../lambdas/tables';
import { addonWidgets, exchangeCodeWidgets } from './constructs/business-widgets';
import { GuichetApi } from './constructs/guichet-api';
import { GuichetDashboard } from './constructs/guichet-dashboard';
import { GuichetFunction } from './constructs/guichet-function';
import { GuichetTables } from './constructs/guichet-tables';
import { type GuichetProps, validateProps } from './guichet-config';
import { sharedLambdaEnvironment } from './lambda-environment';
import { pascalCase } from './naming';

export interface GuichetStackProps extends StackProps, GuichetProps {}

/** The whole broker: one Lambda per route of the route table, with exactly the tables and secrets it names. */
export class GuichetStack extends Stack {
  readonly api: GuichetApi;
  readonly tables: Readonly<Record<TableName, dynamodb.Table>>;
  readonly secrets: Readonly<Record<SecretName, secretsmanager.Secret>>;
  /** By route id. */
  readonly functions: Readonly<Record<string, GuichetFunction>>;
  readonly dashboard: GuichetDashboard;

  constructor(scope: Construct, id: string, props: GuichetStackProps) {
    super(scope, id, props);
    validateProps(props);
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    this.tables = new GuichetTables(this, 'Tables').tables;
    // Values are set by the operator (client secret) or, in a later issue, by a rotation Lambda (signing keys).
    this.secrets = Object.fromEntries(
      Object.entries(SECRETS).map(([name, { description }]) => [
        name,
        new secretsmanager.Secret(this, pascalCase(name), { description }),
      ]),
    ) as Record<SecretName, secretsmanager.Secret>;
    this.api = new GuichetApi(this, 'Api', { logRetention, customDomain: props.customDomain });

    const environment = sharedLambdaEnvironment(props, this.api.publicUrl);
    this.functions = Object.fromEntries(
      ROUTES.map((route) => {
        const fn = new GuichetFunction(this, route.id, {
          entry: route.entry,
          environment,
          logRetention,
          timeoutSeconds: route.timeoutSeconds,
        });
        for (const [name, access] of Object.entries(route.tables)) {
          if (access) fn.useTable(this.tables[name as TableName], TABLES[name as TableName], access);
        }
        for (const name of route.secrets) fn.useSecret(this.secrets[name], SECRETS[name]);
        this.api.addRoute(route, fn.function);
        return [route.id, fn];
      }),
    );

    this.dashboard = new GuichetDashboard(this, 'Dashboard', {
      httpApi: this.api.httpApi,
      stage: this.api.stage,
      routes: ROUTES.map((route) => ({ definition: route, function: this.functions[route.id].function })),
    });
    this.dashboard.addSection('Native apps', exchangeCodeWidgets());
    this.dashboard.addSection('Office add-ins', addonWidgets());

    new CfnOutput(this, 'ApiUrl', { value: this.api.publicUrl, description: 'Public base URL (GUICHET_PUBLIC_URL)' });
    for (const name of TABLE_NAMES) {
      new CfnOutput(this, tableNameOutputKey(name), { value: this.tables[name].tableName });
    }
    for (const [name, secret] of Object.entries(this.secrets)) {
      new CfnOutput(this, `${pascalCase(name)}Arn`, { value: secret.secretArn });
    }
  }
}

/** Output holding a table's name: the operator CLI finds a deployed stack's tables through these. */
export function tableNameOutputKey(name: TableName): string {
  return `${pascalCase(name)}TableName`;
}
