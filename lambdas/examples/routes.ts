import type { RouteDefinition } from '../routes';

/** The example product's route: not guichet's, so not in the route table; `ExampleProductApi` mounts it. */
export const EXAMPLE_PRODUCT_ROUTE: RouteDefinition = {
  id: 'ExampleProductProfile',
  method: 'GET',
  path: '/example-product/profile',
  entry: 'lambdas/examples/product-profile.ts',
  tables: {},
  secrets: [],
};
