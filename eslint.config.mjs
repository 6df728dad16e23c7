// The linter holds the architecture (README, "Architecture"): which folders may import `vscode`
// and the native modules, no promise left floating, type-only imports marked. `npm test` runs it
// first (`npm run lint`).
import tseslint from 'typescript-eslint';

/** Where native code may load: model sessions, image encoding, the job runner, and the processes that run them. */
const NATIVE_ALLOWED = [
  'src/core/models/**/*.ts',
  'src/core/image/**/*.ts',
  'src/core/pipelines/**/*.ts',
  'src/core/jobs/**/*.ts',
  'src/engine/**/*.ts',
  'src/cli/**/*.ts',
  'test/**/*.ts',
  'tools/**/*.ts',
  'bench/**/*.ts',
];

const vscodeOnlyInExtension = {
  name: 'vscode',
  message: 'Only src/extension/ talks to VS Code: core, protocol, engine, CLI and webview code runs without it.',
};
const nativeModules = ['onnxruntime-node', 'sharp'].map((name) => ({
  name,
  message: `${name} is native code: it loads only where models and images run (src/core/{models,image,pipelines,jobs}, the engine, the CLI), never in the extension host or the webview.`,
}));
/**
 * Modules of the native-allowed folders that load native code (directly or through what they
 * import): the extension host and the webview reach them only through the engine. Type-only
 * imports load nothing and stay allowed.
 */
const nativeLoadingModules = {
  regex: String.raw`(^|/)(core/models(/index|/session|/components|/load|/io)?|core/image/encode|core/pipelines/.*|core/jobs/run|engine/.*|cli/.*)$`,
  allowTypeImports: true,
  message: 'This module loads onnxruntime-node or sharp (or imports one that does): the extension host and the webview reach it only through the engine process.',
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'media/**', 'node_modules/**', '.e2e/**', '.cache/**', '**/*.mjs', '**/*.cjs', '**/*.js'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test collects these itself and reports their failures.
        { ignoreVoid: false, allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [vscodeOnlyInExtension, ...nativeModules] }],
    },
  },
  {
    // Native code where models and images run; still no `vscode`.
    files: NATIVE_ALLOWED,
    rules: { 'no-restricted-imports': ['error', { paths: [vscodeOnlyInExtension] }] },
  },
  {
    // The extension host: `vscode` yes, native code no, not even through another module.
    files: ['src/extension/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: nativeModules, patterns: [nativeLoadingModules] }] },
  },
  {
    // The protocol and the webview: neither `vscode` nor native code, directly or through a module.
    files: ['src/protocol/**/*.ts', 'src/webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [vscodeOnlyInExtension, ...nativeModules], patterns: [nativeLoadingModules] }],
    },
  },
);
