// `npm run release`: everything a user installs, in release/:
//   connect-guard-<version>-chrome.zip   the extension for Chromium, Chrome, Brave, Edge (`wxt zip`)
//   connect-guard-<version>-firefox.zip  the add-on for Firefox (`wxt zip -b firefox --mv3`)
//   connect-guard-<version>.tgz          the companion (`npm pack`): one precompiled file and its
//                                        command, no dependencies, installed with
//                                        `npm install -g ./connect-guard-<version>.tgz`
// `node scripts/release.mjs --companion-only --out DIR` packs the companion only (the release test).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('../', import.meta.url));
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/**
 * Source files find files beside them through `import.meta.url` (package.json for the version,
 * the command written into the native-host launcher). The package keeps the repository's layout
 * for those (package.json at its root, the command at companion/bin/), so each source file's URL
 * becomes its own place in the installed package, computed from where the bundle is at run time.
 */
const packageRelativeUrls = {
  name: 'package-relative-urls',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.split(sep).includes('node_modules')) return undefined;
      const text = readFileSync(args.path, 'utf8');
      const fromRoot = relative(root, args.path).split(sep).join('/');
      return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromRoot)}, new URL('../../', import.meta.url)).href`), loader: 'ts' };
    });
  },
};

/** Builds the companion package in `outDir`/package and packs it; returns the .tgz path. */
export async function packCompanion(outDir) {
  const { build } = await import('esbuild');
  const staging = join(outDir, 'package');
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(join(staging, 'companion', 'bin'), { recursive: true });
  await build({
    absWorkingDir: root,
    entryPoints: [join(root, 'companion', 'src', 'cli.ts')],
    outfile: join(staging, 'companion', 'dist', 'connect-guard.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Bundled CommonJS packages (the AWS SDK) call require() for Node's own modules.
    banner: { js: "import { createRequire as __cgCreateRequire } from 'node:module'; const require = __cgCreateRequire(import.meta.url);" },
    logLevel: 'warning',
    legalComments: 'none',
    plugins: [packageRelativeUrls],
  });
  copyFileSync(join(root, 'scripts', 'release', 'connect-guard.js'), join(staging, 'companion', 'bin', 'connect-guard.js'));
  chmodSync(join(staging, 'companion', 'bin', 'connect-guard.js'), 0o755);
  copyFileSync(join(root, 'companion', 'bin', 'node-version.js'), join(staging, 'companion', 'bin', 'node-version.js'));
  const manifest = {
    name: rootPackage.name,
    version: rootPackage.version,
    description: 'Connect Guard companion: the native-messaging host of the Connect Guard extension and the connect-guard command (preview, backup, restore, doctor).',
    license: rootPackage.license,
    type: 'module',
    engines: rootPackage.engines,
    bin: { 'connect-guard': 'companion/bin/connect-guard.js' },
    files: ['companion/'],
  };
  writeFileSync(join(staging, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(
    join(staging, 'README.md'),
    `# Connect Guard companion ${rootPackage.version}\n\nnpm install -g ./connect-guard-${rootPackage.version}.tgz\nconnect-guard install-host --browser chromium|chrome|brave|edge|firefox|all\nconnect-guard --help\n`,
  );
  const packed = execFileSync('npm', ['pack', '--json', '--pack-destination', outDir], { cwd: staging, encoding: 'utf8' });
  const [{ filename }] = JSON.parse(packed);
  rmSync(staging, { recursive: true, force: true });
  return join(outDir, filename);
}

/** Zips the release builds of the extension into `outDir`; returns their paths. */
function zipExtensions(outDir) {
  const out = [];
  for (const args of [[], ['-b', 'firefox', '--mv3']]) {
    const before = new Set(readdirSync(join(root, '.output')).filter((name) => name.endsWith('.zip')));
    execFileSync('npx', ['wxt', 'zip', ...args], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    for (const name of readdirSync(join(root, '.output'))) {
      if (!name.endsWith('.zip') || name.includes('sources') || (before.has(name) && !name.includes(args.length ? 'firefox' : 'chrome'))) continue;
      if (!name.includes(args.length ? 'firefox' : 'chrome')) continue;
      copyFileSync(join(root, '.output', name), join(outDir, name));
      out.push(join(outDir, name));
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, 'companion-only': { type: 'boolean' } } });
  const outDir = values.out ?? join(root, 'release');
  if (!values['companion-only']) rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const files = values['companion-only'] ? [] : zipExtensions(outDir);
  files.push(await packCompanion(outDir));
  for (const file of files) console.log(file);
}
