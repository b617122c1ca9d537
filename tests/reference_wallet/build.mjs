// Builds the reference wallet into tests/reference_wallet/dist (offline, from the repo's node_modules).
import { build } from 'esbuild';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'dist');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const common = { bundle: true, format: 'iife', target: 'chrome116', legalComments: 'none', logLevel: 'warning', minify: false };
await Promise.all([
  build({ ...common, entryPoints: [join(here, 'src/background/index.js')], outfile: join(out, 'scripts/app-init.js') }),
  // The UI bundle alone is scuttled like MetaMask's LavaMoat pages (src/ui/scuttle.js, injected first).
  build({ ...common, entryPoints: [join(here, 'src/ui/index.js')], outfile: join(out, 'ui.js'), inject: [join(here, 'src/ui/scuttle.js')] }),
  build({ ...common, entryPoints: [join(here, 'src/inpage.js')], outfile: join(out, 'inpage.js') }),
  build({ ...common, entryPoints: [join(here, 'src/content.js')], outfile: join(out, 'content.js') }),
]);
cpSync(join(here, 'static'), out, { recursive: true });
cpSync(join(here, 'manifest.json'), join(out, 'manifest.json'));
console.log(`reference wallet built in ${out}`);
