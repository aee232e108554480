/**
 * CloudFormation intrinsic functions, resolved against the local resources as CloudFormation resolves them
 * against the deployed ones: `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::Select`, `Fn::Split` and the pseudo
 * parameters. Anything else, or a reference to a resource local mode did not create, is an error: a value
 * guessed here would be a value that differs from AWS.
 */
export interface LocalResourceValues {
  /** What `Ref` returns. */
  readonly ref: string;
  /** What `Fn::GetAtt` returns, by attribute name. */
  readonly attributes: Readonly<Record<string, string>>;
}

export interface Pseudo {
  readonly region: string;
  readonly accountId: string;
  readonly stackName: string;
}

export class IntrinsicResolver {
  private readonly values = new Map<string, LocalResourceValues>();

  constructor(private readonly pseudo: Pseudo) {}

  define(logicalId: string, values: LocalResourceValues): void {
    this.values.set(logicalId, values);
  }

  has(logicalId: string): boolean {
    return this.values.has(logicalId);
  }

  resolve(value: unknown, where = 'template'): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item, where));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    if (entries.length === 1 && (entries[0][0] === 'Ref' || entries[0][0].startsWith('Fn::'))) {
      return this.intrinsic(entries[0][0], entries[0][1], where);
    }
    return Object.fromEntries(entries.map(([key, item]) => [key, this.resolve(item, where)]));
  }

  /** A value that must resolve to a string (an environment variable, an ARN). */
  resolveString(value: unknown, where: string): string {
    const resolved = this.resolve(value, where);
    if (typeof resolved !== 'string' && typeof resolved !== 'number')
      throw new Error(`${where}: expected a string, got ${JSON.stringify(resolved)}`);
    return String(resolved);
  }

  private intrinsic(name: string, argument: unknown, where: string): unknown {
    switch (name) {
      case 'Ref':
        return this.ref(String(argument), where);
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(argument) ? argument : String(argument).split('.');
        return this.attribute(String(logicalId), String(attribute), where);
      }
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, unknown[]];
        return (this.resolve(parts, where) as unknown[]).join(separator);
      }
      case 'Fn::Sub':
        return this.substitute(argument, where);
      case 'Fn::Select': {
        const [index, list] = argument as [unknown, unknown];
        return (this.resolve(list, where) as unknown[])[Number(this.resolve(index, where))];
      }
      case 'Fn::Split': {
        const [separator, text] = argument as [string, unknown];
        return this.resolveString(text, where).split(separator);
      }
      default:
        throw new Error(`${where}: local mode does not resolve ${name}`);
    }
  }

  private ref(name: string, where: string): string {
    switch (name) {
      case 'AWS::Region':
        return this.pseudo.region;
      case 'AWS::AccountId':
        return this.pseudo.accountId;
      case 'AWS::StackName':
        return this.pseudo.stackName;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      default:
        return this.valuesOf(name, where).ref;
    }
  }

  private attribute(logicalId: string, attribute: string, where: string): string {
    const value = this.valuesOf(logicalId, where).attributes[attribute];
    if (value === undefined) throw new Error(`${where}: local mode has no ${attribute} for ${logicalId}`);
    return value;
  }

  private valuesOf(logicalId: string, where: string): LocalResourceValues {
    const values = this.values.get(logicalId);
    if (!values) throw new Error(`${where}: ${logicalId} is not a resource local mode runs`);
    return values;
  }

  private substitute(argument: unknown, where: string): string {
    const [text, variables] = Array.isArray(argument) ? (argument as [string, Record<string, unknown>]) : [String(argument), {}];
    return text.replace(/\$\{([^}]+)\}/g, (_, expression: string) => {
      if (expression.startsWith('!')) return `\${${expression.slice(1)}}`;
      if (Object.hasOwn(variables, expression)) return this.resolveString(variables[expression], where);
      const [logicalId, attribute] = expression.split('.');
      return attribute === undefined ? this.ref(logicalId, where) : this.attribute(logicalId, attribute, where);
    });
  }
}
