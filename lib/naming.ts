/** `loginFlows` → `LoginFlows`: construct ids and output names derived from the definition keys. */
export function pascalCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
