import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { loginWidgets } from './business-widgets';

/**
 * The operations dashboard, in titled sections: logins and sessions first, then those features and the stack
 * add with `addSection` (business-widgets.ts, operations-widgets.ts), in the order they add them.
 */
export class GuichetDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    this.addSection('Logins and sessions', loginWidgets());
  }

  /** Appends a titled band of widgets (they wrap at the dashboard's 24-column width). */
  addSection(title: string, widgets: readonly cloudwatch.IWidget[]): void {
    this.dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: `## ${title}`, width: 24, height: 1 }));
    this.dashboard.addWidgets(...widgets);
  }
}
