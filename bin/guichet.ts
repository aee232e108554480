#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GuichetConfigError, propsFromContext } from '../lib/guichet-config';
import { GuichetStack } from '../lib/guichet-stack';
import { acknowledgeNagFindings } from '../lib/nag-acknowledgements';

try {
  const app = new App();
  const stack = new GuichetStack(app, 'Guichet', propsFromContext(app.node));
  // Any unacknowledged finding, error or warning, fails the synth.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  acknowledgeNagFindings(stack);
} catch (error) {
  if (!(error instanceof GuichetConfigError)) throw error;
  // The message already names every problem and its fix; a stack trace would only bury it.
  console.error(error.message);
  process.exit(1);
}
