export * from '../../harness/fake-idp';
