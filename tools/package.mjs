// `npm run package`: a .vsix for this machine's platform (vsce's --target), carrying the built
// extension, engine and CLI, the webview, the demo models, and the native modules for this
// platform only (onnxruntime-node ships every platform's binaries; the others are left out).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';

const target = `${process.platform === 'win32' ? 'win32' : process.platform}-${process.arch}`;
const ortPlatforms = ['darwin/arm64', 'darwin/x64', 'linux/arm64', 'linux/x64', 'win32/arm64', 'win32/x64'];
const mine = `${process.platform}/${process.arch}`;
const base = readFileSync('.vscodeignore', 'utf8');
const extra = ortPlatforms.filter((p) => p !== mine).map((p) => `node_modules/onnxruntime-node/bin/napi-v*/${p}/**`);
writeFileSync('.vscodeignore', `${base.trimEnd()}\n# other platforms (added by tools/package.mjs)\n${extra.join('\n')}\n`);
try {
  const out = `sdprompt-${JSON.parse(readFileSync('package.json', 'utf8')).version}-${target}.vsix`;
  rmSync(out, { force: true });
  execFileSync('npx', ['vsce', 'package', '--target', target, '--out', out, '--allow-missing-repository', '--no-rewrite-relative-links'], { stdio: 'inherit' });
  console.log(`packaged ${out}`);
} finally {
  writeFileSync('.vscodeignore', base);
}
