export * from '../../harness/local-store';
