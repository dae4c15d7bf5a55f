/**
 * Jest in ESM mode (Nest 12 is ESM-only): ts-jest transpiles each file on its own
 * (`isolatedModules` in tsconfig.json), `npm test` type-checks through the build first.
 * @type {import('jest').Config}
 */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^nestjs-channels$': '<rootDir>/lib/index.ts',
    '^nestjs-channels/testing$': '<rootDir>/lib/testing/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // @fastify/middie (CommonJS) requires path-to-regexp 9, which is ESM only: Node 20.19+
    // loads it (require(esm)), Jest's module runtime does not. Its API is that of the
    // CommonJS 8 beside Express, which the Fastify suites get instead.
    '^path-to-regexp$': '<rootDir>/node_modules/path-to-regexp/dist/index.js',
  },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  setupFiles: ['<rootDir>/test/setup/reflect-metadata.ts'],
  testTimeout: 30000,
  maxWorkers: 2,
};
