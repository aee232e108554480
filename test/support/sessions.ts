export * from '../../harness/sessions';
