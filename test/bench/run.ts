/**
 * `npm run bench <name>`: runs one benchmark (or all with no name). Each benchmark prints its
 * figures next to its peers measured in the same run.
 */
export {};

const benchmarks: Record<string, () => Promise<unknown>> = {
  vault: () => import('./vault.bench.ts'),
  list: () => import('./list.bench.ts'),
  diff: () => import('./diff.bench.ts'),
  preview: () => import('./preview.bench.ts'),
  backup: () => import('./backup.bench.ts'),
  audit: () => import('./audit.bench.ts'),
};

const requested = process.argv.slice(2);
const names = requested.length > 0 ? requested : Object.keys(benchmarks);
for (const name of names) {
  const load = benchmarks[name];
  if (!load) {
    console.error(`Unknown benchmark "${name}". Choose from: ${Object.keys(benchmarks).join(', ')}.`);
    process.exit(2);
  }
  console.log(`\n=== bench:${name} ===`);
  await load();
}
