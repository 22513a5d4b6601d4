// The constants live in @mempool/base, below both this package and @mempool/layout (see errors.ts).
export * from '@mempool/base/constants';
