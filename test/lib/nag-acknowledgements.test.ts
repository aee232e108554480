import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { GuichetProps } from '../../lib/guichet-config';
import { GuichetStack } from '../../lib/guichet-stack';
import { acknowledgeNagFindings } from '../../lib/nag-acknowledgements';
import { EXAMPLE_PROPS, testApp } from './helpers';

/** Synthesizes like bin/guichet.ts and lists what cdk-nag still reports, errors and warnings alike. */
function unacknowledgedFindings(acknowledge: boolean, props: GuichetProps = EXAMPLE_PROPS): string[] {
  const app = testApp();
  const stack = new GuichetStack(app, 'Guichet', props);
  if (acknowledge) {
    // As in bin/: with the plugin registered, any finding fails the synth itself.
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    acknowledgeNagFindings(stack);
  }
  app.synth();
  return new AwsSolutionsChecks(app)
    .validateScope(app)
    .violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => `${violation.severity} ${violation.ruleName} ${resource.constructPath}`),
    );
}

test('every AwsSolutions finding is acknowledged', () => {
  expect(unacknowledgedFindings(true)).toEqual([]);
});

test('with alarmEmail too: the topic (encrypted, TLS only) and its key (rotated) need no acknowledgement', () => {
  expect(unacknowledgedFindings(true, { ...EXAMPLE_PROPS, alarmEmail: 'ops@example.com' })).toEqual([]);
});

test('with the example product API too: its route has an authorizer, so no APIG4 to acknowledge, only its traces', () => {
  const withExample = {
    ...EXAMPLE_PROPS,
    apiAudiences: { 'https://api.product.example': ['profile:read'] },
    exampleProductApi: { audience: 'https://api.product.example', scope: 'profile:read' },
  };
  expect(unacknowledgedFindings(true, withExample)).toEqual([]);
  const exampleFindings = unacknowledgedFindings(false, withExample).filter((finding) => finding.includes('ExampleProductApi'));
  expect(exampleFindings.map((finding) => finding.split(' ')[1])).toEqual(['AwsSolutions-IAM5[Resource::*]']);
});

test('the checks do run: without the acknowledgements they report exactly the acknowledged rules', () => {
  const rules = new Set(unacknowledgedFindings(false).map((finding) => finding.split(' ')[1]));
  expect([...rules].sort()).toEqual(['AwsSolutions-APIG4', 'AwsSolutions-IAM5[Resource::*]', 'AwsSolutions-SMG4']);
});

test('the signing keys need no SMG4 acknowledgement: they are rotated', () => {
  const unrotated = unacknowledgedFindings(false)
    .filter((finding) => finding.includes('AwsSolutions-SMG4'))
    .map((finding) => finding.split(' ')[2]);
  expect(unrotated.sort()).toEqual(['Guichet/AddinCsrfKey/Resource', 'Guichet/OidcClientSecret/Resource']);
});
