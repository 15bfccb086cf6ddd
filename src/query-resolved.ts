/**
 * The key of TokenClassifier's method that classifies a payload already resolved by
 * resolvePayload (a ResolvedQuery). The server resolves each request once, before it keys the
 * cache and starts a stream, and hands that on instead of the payload, which query() would
 * resolve a second time. A symbol that index.ts does not export keeps the method out of the
 * public API.
 */
export const queryResolved: unique symbol = Symbol("tokclass.queryResolved");
