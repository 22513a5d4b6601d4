// The error codes and builders live in @mempool/base, below both this package and @mempool/layout
// (which this package re-exports), so both throw the same errors with no dependency cycle.
export * from '@mempool/base/errors';
