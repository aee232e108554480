import { pascalCase, secretArnOutputKey, tableNameOutputKey } from '../../lib/naming';

describe('naming', () => {
  it('derives construct ids and output keys from the definition keys', () => {
    expect(pascalCase('loginFlows')).toBe('LoginFlows');
    expect(tableNameOutputKey('applications')).toBe('ApplicationsTableName');
    expect(secretArnOutputKey('signingKeys')).toBe('SigningKeysArn');
  });
});
