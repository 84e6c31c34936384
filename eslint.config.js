// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js', 'scripts/bundle*.mjs', 'test/support/module-list.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Unawaited promises are the classic daemon bug.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  { files: ['eslint.config.js', 'scripts/bundle*.mjs'], ...tseslint.configs.disableTypeChecked },
);
