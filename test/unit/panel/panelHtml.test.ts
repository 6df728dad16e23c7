import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createNonce, panelHtml } from '../../../src/extension/panel-html';

const options = {
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  nonce: 'abcDEF123',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/webview.js',
  styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/media/webview.css',
  title: 'Results <shapes.sdprompt>',
};

describe('panelHtml', () => {
  it('sets a strict CSP: nonce for scripts, the webview source for styles and images, data: images', () => {
    const html = panelHtml(options);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
    assert.equal(
      csp,
      "default-src 'none'; img-src https://file+.vscode-resource.vscode-cdn.net data:; style-src https://file+.vscode-resource.vscode-cdn.net; script-src 'nonce-abcDEF123'; font-src https://file+.vscode-resource.vscode-cdn.net",
    );
    assert.ok(!/unsafe-inline|unsafe-eval/.test(html));
  });

  it('loads one script by nonce and one stylesheet, escaping the title', () => {
    const html = panelHtml(options);
    assert.deepEqual([...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]), [` nonce="abcDEF123" src="${options.scriptUri}"`]);
    assert.equal([...html.matchAll(/<link rel="stylesheet" href="([^"]*)">/g)].map((m) => m[1]).join(), options.styleUri);
    assert.match(html, /<title>Results &lt;shapes\.sdprompt&gt;<\/title>/);
    assert.match(html, /<main id="app"/);
  });

  it('refuses a nonce that could break out of the policy', () => {
    assert.throws(() => panelHtml({ ...options, nonce: "x' 'unsafe-inline" }));
  });

  it('makes 32-character nonces from the random bytes given', () => {
    const nonce = createNonce((n) => Uint8Array.from({ length: n }, (_, i) => i * 7));
    assert.equal(nonce.length, 32);
    assert.match(nonce, /^[A-Za-z0-9]{32}$/);
    assert.equal(nonce.slice(0, 4), 'AHOV');
  });
});
