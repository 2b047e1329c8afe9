import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

const lib = (name: string) => fileURLToPath(new URL(`./libs/${name}/src/index.ts`, import.meta.url));

// NestJS needs decorator metadata, which esbuild/oxc do not emit: swc compiles the TypeScript.
export default defineConfig({
  plugins: [
    swc.vite({
      jsc: {
        target: 'es2022',
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      },
    }),
  ],
  resolve: {
    alias: {
      '@sandtrap/syscalls': lib('syscalls'),
      '@sandtrap/audit': lib('audit'),
      '@sandtrap/events': lib('events'),
      '@sandtrap/seccomp-profile': lib('seccomp-profile'),
      '@sandtrap/api': fileURLToPath(new URL('./apps/api/src/index.ts', import.meta.url)),
      '@sandtrap/migrations': fileURLToPath(new URL('./migrations/src/index.ts', import.meta.url)),
    },
  },
  test: {
    env: { TZ: 'UTC' },
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['libs/*/src/**/*.spec.ts', 'apps/*/src/**/*.spec.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          // Database and end-to-end suites: one Postgres for the run, a fresh database per suite.
          include: ['test/**/*.e2e-spec.ts', 'apps/*/src/**/*.db-spec.ts', 'libs/*/src/**/*.db-spec.ts'],
          globalSetup: ['./test/support/global-setup.ts'],
        },
      },
    ],
  },
});
