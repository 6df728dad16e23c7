// Captures the theme variables VS Code gives a webview, in its light, dark and high contrast
// themes, for the webview tests' accessibility audit (test/webview/themes.json). It opens a
// Markdown preview (a webview) in code-server for each theme and reads the `--vscode-*`
// variables that media/webview.css uses, and the body's theme classes, from the webview's page.
//
//   npm run test:e2e once (installs code-server into .e2e/), then:
//   tsc -p . && node out/tools/webview-themes/capture.js
//
// Run it again when media/webview.css starts using a variable the file lacks (the test says so).

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { ROOT, startSession } from '../../test/e2e/harness';

/** Theme kind → the `workbench.colorTheme` id of VS Code's default theme of that kind, and the body class VS Code gives it. */
export const THEMES = {
  light: ['Default Light Modern', 'vscode-light'],
  dark: ['Default Dark Modern', 'vscode-dark'],
  highContrast: ['Default High Contrast', 'vscode-high-contrast'],
  highContrastLight: ['Default High Contrast Light', 'vscode-high-contrast-light'],
} as const;

export interface CapturedTheme {
  /** The VS Code theme's name. */
  theme: string;
  /** The body's classes, e.g. `vscode-dark`. */
  bodyClass: string;
  /** Each variable media/webview.css uses: its value, or null where the theme does not set it. */
  variables: Record<string, string | null>;
}

export function cssVariables(css: string): string[] {
  return [...new Set([...css.matchAll(/var\((--vscode-[\w-]+)/g)].map((m) => m[1]!))].sort();
}

async function webviewPage(frames: () => Frame[]): Promise<Frame> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    for (const frame of frames()) {
      const themed = await frame.evaluate(() => {
        const doc = (globalThis as unknown as { document: { documentElement: { style: { getPropertyValue(n: string): string } }; body: { className: string } | null } }).document;
        return doc.documentElement.style.getPropertyValue('--vscode-foreground') !== '' && /vscode-/.test(doc.body?.className ?? '');
      }).catch(() => false);
      if (themed) return frame;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('no webview page with theme variables after 60 s');
}

async function capture(theme: string, names: string[]): Promise<CapturedTheme> {
  const folder = mkdtempSync(join(tmpdir(), 'sdprompt-themes-'));
  writeFileSync(join(folder, 'note.md'), '# Theme\n\nA webview to read the theme from.\n');
  const session = await startSession({ folder, settings: { 'workbench.colorTheme': theme } });
  try {
    await session.waitForWorkbench();
    await session.openFile('note.md');
    await session.runCommand('Markdown: Open Preview to the Side');
    const frame = await webviewPage(() => session.page.frames());
    return await frame.evaluate(({ theme, names }) => {
      const doc = (globalThis as unknown as { document: { documentElement: { style: { getPropertyValue(n: string): string } }; body: { className: string } } }).document;
      const variables: Record<string, string | null> = {};
      for (const name of names) variables[name] = doc.documentElement.style.getPropertyValue(name).trim() || null;
      const bodyClass = doc.body.className.split(/\s+/).filter((c) => /^vscode-/.test(c)).join(' ');
      return { theme, bodyClass, variables };
    }, { theme, names });
  } finally {
    await session.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const names = cssVariables(readFileSync(join(ROOT, 'media', 'webview.css'), 'utf8'));
  const out: Record<string, CapturedTheme> = {};
  for (const [kind, [theme, bodyClass]] of Object.entries(THEMES)) {
    out[kind] = await capture(theme, names);
    if (!out[kind]!.bodyClass.split(' ').includes(bodyClass)) throw new Error(`${theme}: the webview's body says '${out[kind]!.bodyClass}', not ${bodyClass}: is the theme id right?`);
    console.log(`${kind}: ${theme}, ${out[kind]!.bodyClass}, ${Object.values(out[kind]!.variables).filter((v) => v !== null).length}/${names.length} variables set`);
  }
  writeFileSync(join(ROOT, 'test', 'webview', 'themes.json'), `${JSON.stringify(out, null, 1)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
