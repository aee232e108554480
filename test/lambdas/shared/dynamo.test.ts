import { grantedTable } from '../../../lambdas/shared/dynamo';

describe('grantedTable', () => {
  afterEach(() => {
    delete process.env.EXCHANGE_CODES_TABLE;
  });

  it('costs nothing to declare: a module may name a table its function never touches', () => {
    expect(() => grantedTable('exchangeCodes')).not.toThrow();
  });

  it("fails loudly at first use, naming the table, when the function's route does not grant it", () => {
    const table = grantedTable('exchangeCodes');
    expect(() => table()).toThrow("EXCHANGE_CODES_TABLE is not set: this function's route does not grant the exchangeCodes table");
  });

  it('reads the name its route grants, once', () => {
    process.env.EXCHANGE_CODES_TABLE = 'guichet-ExchangeCodes-1';
    const table = grantedTable('exchangeCodes');
    expect(table()).toBe('guichet-ExchangeCodes-1');
    process.env.EXCHANGE_CODES_TABLE = 'changed';
    expect(table()).toBe('guichet-ExchangeCodes-1');
  });
});
