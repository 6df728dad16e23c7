// Serves the results panel as VS Code would show it: the HTML from panelHtml (its real CSP), the
// bundled media/webview.js and media/webview.css, and result images, over http on 127.0.0.1 from
// a temp folder; opened in Debian's Chromium through playwright-core, with a stand-in for
// `acquireVsCodeApi` that records posted messages and keeps setState across reloads (as VS Code
// keeps it across hide/show).

import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import assert from 'node:assert/strict';
import { after, afterEach, before } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { panelHtml } from '../../src/extension/panel-html';
import type { HostMessage, WebviewMessage } from '../../src/protocol/webview';

export const ROOT = join(__dirname, '..', '..', '..');
export const CHROMIUM = process.env['SDPROMPT_CHROMIUM'] ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.png': 'image/png', '.map': 'application/json' };

export interface PanelServer {
  origin: string;
  folder: string;
  close(): Promise<void>;
}

/** Starts the server; `files` are written into the served folder (e.g. result PNGs). */
export async function servePanel(files: Record<string, Buffer> = {}): Promise<PanelServer> {
  const bundle = join(ROOT, 'media', 'webview.js');
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run node esbuild.mjs first (npm run test:webview does)`);
  const folder = mkdtempSync(join(tmpdir(), 'sdprompt-webview-'));
  copyFileSync(bundle, join(folder, 'webview.js'));
  copyFileSync(join(ROOT, 'media', 'webview.css'), join(folder, 'webview.css'));
  for (const [name, data] of Object.entries(files)) writeFileSync(join(folder, name), data);

  const server: Server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(/^\/+/, '');
    const file = join(folder, path);
    // Chromium asks for a favicon on its own; a webview in VS Code never does.
    if (path === 'favicon.ico') {
      response.writeHead(204).end();
      return;
    }
    if (!file.startsWith(folder) || !existsSync(file) || path === '') {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const html = panelHtml({
    cspSource: origin,
    nonce: 'bm9uY2Vmb3J0ZXN0czEyMzQ1Njc4OTA',
    scriptUri: `${origin}/webview.js`,
    styleUri: `${origin}/webview.css`,
    title: 'sdprompt results',
  });
  writeFileSync(join(folder, 'index.html'), html);
  return {
    origin,
    folder,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not at ${CHROMIUM}: install Debian's (apt-get install chromium) or set SDPROMPT_CHROMIUM. The webview tests need it.`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

// Runs in the page before any of its scripts. VS Code's API may be acquired once per page; its
// state is kept outside the page (here: sessionStorage, which survives a reload).
const VSCODE_API_STUB = `(() => {
  window.__posted = [];
  window.__problems = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__problems.push('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI);
  });
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi called twice');
    acquired = true;
    return {
      postMessage: (message) => window.__posted.push(JSON.parse(JSON.stringify(message))),
      getState: () => JSON.parse(sessionStorage.getItem('vscode-state') || 'null') ?? undefined,
      setState: (state) => sessionStorage.setItem('vscode-state', JSON.stringify(state)),
    };
  };
})();`;

export interface PanelPage {
  page: Page;
  /** Console errors, page errors and CSP violations seen so far. */
  problems(): Promise<string[]>;
  posted(): Promise<WebviewMessage[]>;
  /** Forgets the messages posted so far. */
  clearPosted(): Promise<void>;
  send(message: HostMessage): Promise<void>;
}

export async function openPanel(browser: Browser, server: PanelServer): Promise<PanelPage> {
  const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
  const consoleProblems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') consoleProblems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => consoleProblems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => consoleProblems.push(`request failed: ${request.url()}`));
  page.on('response', (response) => {
    if (response.status() >= 400) consoleProblems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  await page.addInitScript(VSCODE_API_STUB);
  await page.goto(`${server.origin}/index.html`);
  return {
    page,
    problems: async () => [...consoleProblems, ...((await page.evaluate('window.__problems')) as string[])],
    posted: async () => (await page.evaluate('window.__posted')) as WebviewMessage[],
    clearPosted: async () => {
      await page.evaluate('window.__posted.length = 0');
    },
    // VS Code delivers the host's messages as window message events.
    send: async (message) => {
      await page.evaluate((m) => (globalThis as unknown as { postMessage(m: unknown, o: string): void }).postMessage(m, '*'), message);
    },
  };
}

export interface PanelSuite {
  readonly browser: Browser;
  readonly server: PanelServer;
  /** Opens the panel; after the test it is closed, having had no console errors, page errors or CSP violations. */
  open(): Promise<PanelPage>;
}

/**
 * One Chromium and one server of `files` for the describe block that calls it (started before its
 * tests, closed after them), and the panels its tests open through `open`, checked after each test.
 */
export function panelSuite(files: () => Promise<Record<string, Buffer>>): PanelSuite {
  let browser: Browser | undefined;
  let server: PanelServer | undefined;
  let opened: PanelPage[] = [];
  before(async () => {
    server = await servePanel(await files());
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  afterEach(async () => {
    const pages = opened;
    opened = [];
    for (const panel of pages) {
      const problems = await panel.problems();
      await panel.page.close();
      assert.deepEqual(problems, [], 'no console errors, page errors or CSP violations');
    }
  });
  return {
    get browser() {
      if (!browser) throw new Error('the suite has not started Chromium yet');
      return browser;
    },
    get server() {
      if (!server) throw new Error('the suite has not started its server yet');
      return server;
    },
    async open() {
      const panel = await openPanel(this.browser, this.server);
      opened.push(panel);
      return panel;
    },
  };
}

/**
 * Waits until `expression` is truthy in the page. Playwright's waitForFunction compiles a
 * string predicate inside the page, which the panel's CSP (no 'unsafe-eval') forbids as soon
 * as it has to poll; page.evaluate goes through the DevTools protocol, which the CSP allows.
 */
export async function until(page: Page, expression: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'false';
  for (;;) {
    try {
      if (await page.evaluate(expression)) return;
    } catch (e) {
      last = (e as Error).message; // e.g. state not written yet: try again
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${expression} (last: ${last})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A theme as VS Code gives it to a webview (test/webview/themes.json, from tools/webview-themes/capture.ts). */
export interface WebviewTheme {
  theme: string;
  bodyClass: string;
  variables: Record<string, string | null>;
}

/** Applies a theme the way VS Code does: `--vscode-*` variables on <html>, the theme's classes on <body>. */
export async function applyTheme(page: Page, theme: WebviewTheme): Promise<void> {
  await page.evaluate((t) => {
    const doc = (globalThis as unknown as { document: { documentElement: { style: { setProperty(n: string, v: string): void; removeProperty(n: string): void } }; body: { className: string } } }).document;
    for (const [name, value] of Object.entries(t.variables)) {
      if (value === null) doc.documentElement.style.removeProperty(name);
      else doc.documentElement.style.setProperty(name, value);
    }
    doc.body.className = t.bodyClass;
  }, theme);
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

const AXE_SOURCE = join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');

/**
 * axe-core's audit of the page as it is now. axe is injected through the DevTools protocol
 * (page.evaluate), which the panel's CSP does not govern, so the page's policy stays as shipped.
 */
export async function axeAudit(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(readFileSync(AXE_SOURCE, 'utf8'));
  const result = (await page.evaluate('window.axe.run(document, { resultTypes: ["violations"] })')) as { violations: AxeViolation[] };
  return result.violations;
}
