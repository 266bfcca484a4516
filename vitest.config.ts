import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string): string => fileURLToPath(new URL(`./src/${p}`, import.meta.url));

export default defineConfig({
  // Tests import the library by its name, as users do; here that is the source (test/package.test.ts
  // checks the built package through package.json's exports).
  resolve: { alias: [{ find: /^rnn$/, replacement: src('api/index.ts') }, { find: /^rnn\/browser$/, replacement: src('api/browser.ts') }] },
  test: {
    include: ['test/**/*.test.ts'],
    // Generous: CI machines here have run the process-spawning tests 6x slower than an idle one
    // (kill-during-save: 9 s idle, over 60 s on CI); a hung child is killed by run()'s own timer.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
