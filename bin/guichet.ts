#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { propsFromContext } from '../lib/guichet-config';
import { GuichetStack } from '../lib/guichet-stack';
import { acknowledgeNagFindings } from '../lib/nag-acknowledgements';

const app = new App();
const stack = new GuichetStack(app, 'Guichet', propsFromContext(app.node));
// Any unacknowledged finding, error or warning, fails the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
acknowledgeNagFindings(stack);
