// The companion precompiled into one JavaScript file (esbuild), so a run does not pay for
// compiling TypeScript at start-up (≈ 0.4 s through tsx, more than a `bucket-name` or `--help`
// takes). The bundle lives in node_modules/.cache: outside git and the linter, and rebuilt
// whenever a source file, package.json or the installed packages change.
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bundleDir = join(root, 'node_modules', '.cache', 'connect-guard');
export const BUNDLE_PATH = join(bundleDir, 'connect-guard.mjs');
const STAMP_PATH = join(bundleDir, 'connect-guard.inputs.json');
const ENTRY = join(root, 'companion', 'src', 'cli.ts');
const STAMP_VERSION = 1;
/** Besides the sources: what changes when packages are installed or upgraded. */
const PACKAGE_FILES = ['package.json', 'package-lock.json', join('node_modules', '.package-lock.json')];

function fingerprint(path) {
  try {
    const stat = statSync(join(root, path));
    return `${stat.size}:${stat.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

/** The bundle's path when it was built from the sources as they are now, else undefined. */
export function findFreshBundle() {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(STAMP_PATH, 'utf8'));
    statSync(BUNDLE_PATH);
  } catch {
    return undefined;
  }
  if (stamp?.version !== STAMP_VERSION || stamp.node !== process.versions.node || !Array.isArray(stamp.inputs)) return undefined;
  for (const [path, print] of stamp.inputs) {
    if (fingerprint(path) !== print) return undefined;
  }
  return BUNDLE_PATH;
}

/**
 * Source files refer to files beside them through `import.meta.url` (the package.json version,
 * the bin path written into the native-host launcher). In the bundle that would name the
 * bundle's own folder, so each source file gets its own URL written in.
 */
const keepSourceUrls = {
  name: 'keep-source-urls',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.split(sep).includes('node_modules')) return undefined;
      const text = readFileSync(args.path, 'utf8');
      return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
    });
  },
};

/**
 * Builds the bundle (about a second) and returns its path. Writes to temporary names and renames
 * them into place, so processes building at the same moment never read half a file.
 * Throws when esbuild is not installed or the folder is not writable.
 */
export async function buildCompanionBundle() {
  const { build } = await import('esbuild');
  mkdirSync(bundleDir, { recursive: true });
  const temporary = `${BUNDLE_PATH}.${process.pid}.tmp`;
  const started = Date.now();
  try {
    const result = await build({
      absWorkingDir: root,
      entryPoints: [ENTRY],
      outfile: temporary,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: `node${process.versions.node.split('.')[0]}`,
      // Bundled CommonJS packages (the AWS SDK) call require() for Node's own modules.
      banner: { js: "import { createRequire as __cgCreateRequire } from 'node:module'; const require = __cgCreateRequire(import.meta.url);" },
      metafile: true,
      logLevel: 'silent',
      legalComments: 'none',
      plugins: [keepSourceUrls],
    });
    const sources = Object.keys(result.metafile.inputs).filter((path) => !path.split(/[\\/]/).includes('node_modules') && !path.startsWith('..'));
    const inputs = [...new Set([...sources, ...PACKAGE_FILES])].map((path) => [path, fingerprint(path)]);
    renameSync(temporary, BUNDLE_PATH);
    // A file saved while the build ran may or may not be in it: use the bundle this once, and
    // leave it unstamped so the next run builds again.
    if (inputs.some(([, print]) => Number(print.split(':')[1]) >= started - 1000)) return BUNDLE_PATH;
    const stampTemporary = `${STAMP_PATH}.${process.pid}.tmp`;
    writeFileSync(stampTemporary, JSON.stringify({ version: STAMP_VERSION, node: process.versions.node, inputs }));
    renameSync(stampTemporary, STAMP_PATH);
    return BUNDLE_PATH;
  } finally {
    rmSync(temporary, { force: true });
  }
}
