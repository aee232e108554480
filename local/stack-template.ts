import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The synthesized stack as local mode reads it: the CloudFormation template of the cloud assembly and the asset
 * manifest that ties each function's code to its bundle folder. Values stay raw CloudFormation (intrinsics
 * included); `intrinsics.ts` resolves them against the local resources.
 */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | readonly string[];
}

export interface StackTemplate {
  readonly stackName: string;
  readonly assemblyDirectory: string;
  readonly resources: Readonly<Record<string, CfnResource>>;
  readonly outputs: Readonly<Record<string, { readonly Value: unknown }>>;
  /** Bundle folder of each function's code, by the S3 key the template names. */
  readonly bundleFolders: ReadonlyMap<string, string>;
}

interface AssemblyManifest {
  readonly artifacts: Record<
    string,
    { readonly type: string; readonly properties?: { readonly templateFile?: string; readonly file?: string } }
  >;
}

interface AssetManifest {
  readonly files: Record<
    string,
    { readonly source: { readonly path: string }; readonly destinations: Record<string, { readonly objectKey: string }> }
  >;
}

/** Reads the one stack of a cloud assembly. */
export function readStackTemplate(assemblyDirectory: string): StackTemplate {
  const read = <T>(file: string): T => JSON.parse(readFileSync(path.join(assemblyDirectory, file), 'utf8')) as T;
  const manifest = read<AssemblyManifest>('manifest.json');
  const stacks = Object.entries(manifest.artifacts).filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack');
  if (stacks.length !== 1) throw new Error(`the cloud assembly in ${assemblyDirectory} holds ${stacks.length} stacks, not one`);
  const [stackName, stack] = stacks[0];
  const template = read<{ Resources: Record<string, CfnResource>; Outputs?: Record<string, { Value: unknown }> }>(
    stack.properties!.templateFile!,
  );

  const bundleFolders = new Map<string, string>();
  for (const artifact of Object.values(manifest.artifacts)) {
    if (artifact.type !== 'cdk:asset-manifest') continue;
    for (const file of Object.values(read<AssetManifest>(artifact.properties!.file!).files)) {
      for (const destination of Object.values(file.destinations)) {
        bundleFolders.set(destination.objectKey, path.join(assemblyDirectory, file.source.path));
      }
    }
  }
  return { stackName, assemblyDirectory, resources: template.Resources, outputs: template.Outputs ?? {}, bundleFolders };
}

/** The resources of one type, by logical id. */
export function resourcesOfType(template: StackTemplate, type: string): [string, CfnResource][] {
  return Object.entries(template.resources).filter(([, resource]) => resource.Type === type);
}

export function dependenciesOf(resource: CfnResource): readonly string[] {
  return resource.DependsOn === undefined ? [] : ([] as string[]).concat(resource.DependsOn);
}
