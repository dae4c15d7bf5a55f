import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'test/e2e/readme/.generated/**',
      'test/types/readme/.generated/**',
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'test/fixtures/**/node_modules/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      // Nest's metadata APIs (Reflector, Type, decorators) are typed with `Function`.
      '@typescript-eslint/no-unsafe-function-type': 'off',
    },
  },
  {
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
