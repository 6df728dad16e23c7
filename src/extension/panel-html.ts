// The results panel's HTML shell: the webview's script (media/webview.js) builds everything else.
// Pure string building, so it is testable without VS Code.

export interface PanelHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  /** A fresh random nonce for each HTML load (see `createNonce`). */
  nonce: string;
  /** `webview.asWebviewUri` of media/webview.js and media/webview.css. */
  scriptUri: string;
  styleUri: string;
  title: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** For text and double-quoted attributes (so the CSP's single quotes stay as written). */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ESCAPES[c]!);
}

/** A nonce for the CSP: 32 characters from a URL-safe alphabet. */
export function createNonce(random: (n: number) => Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...random(32)].map((b) => alphabet[b % alphabet.length]).join('');
}

/**
 * The panel's HTML with a strict Content Security Policy: only the extension's own script (by
 * nonce) and stylesheet, images from the extension's resources and `data:` (live previews), no
 * inline styles, no network.
 */
export function panelHtml({ cspSource, nonce, scriptUri, styleUri, title }: PanelHtmlOptions): string {
  if (!/^[A-Za-z0-9+/=_-]+$/.test(nonce)) throw new Error('a CSP nonce is letters, digits and + / = _ - only');
  const csp = [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(styleUri)}">
<title>${escapeHtml(title)}</title>
</head>
<body>
<main id="app" aria-live="off"></main>
<script nonce="${nonce}" src="${escapeHtml(scriptUri)}"></script>
</body>
</html>
`;
}
