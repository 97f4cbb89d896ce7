// `npm run build:companion` (also run by `npm install` through `prepare`): precompiles the
// companion so `connect-guard` starts without compiling TypeScript. The bin builds the bundle
// itself when it is missing or older than the sources; this only saves the first run that wait.
import { BUNDLE_PATH, buildCompanionBundle } from '../companion/bin/companion-bundle.js';

try {
  const started = Date.now();
  await buildCompanionBundle();
  console.log(`connect-guard: companion bundle built in ${Date.now() - started} ms: ${BUNDLE_PATH}`);
} catch (error) {
  // An install without esbuild or with a read-only folder still works: the bin runs the sources through tsx.
  console.warn(`connect-guard: companion bundle not built (${error instanceof Error ? error.message : String(error)}); the CLI will run from the TypeScript sources.`);
}
