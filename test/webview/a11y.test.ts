// Accessibility of the results panel and the mask painter, in VS Code's light, dark and high
// contrast themes (their real variables, test/webview/themes.json): an axe-core audit with no
// serious or critical violations, and every control reached with Tab, labelled, and showing
// where the focus is.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { cssVariables } from '../../tools/webview-themes/capture';
import { image, png, sampleState } from './fixtures';
import { applyTheme, axeAudit, openPanel, panelSuite, ROOT, until, type PanelPage, type WebviewTheme } from './page';

const THEMES = JSON.parse(readFileSync(join(ROOT, 'test', 'webview', 'themes.json'), 'utf8')) as Record<string, WebviewTheme>;

/** One stop of the Tab key: what has focus, its accessible label, and how its focus shows. */
interface FocusStop {
  key: string;
  label: string;
  outline: string;
}

/** Presses Tab until the focus comes back around, recording each stop. */
async function tabThrough(page: Page): Promise<FocusStop[]> {
  await page.evaluate('document.activeElement?.blur(); window.focus()');
  const stops: FocusStop[] = [];
  for (let i = 0; i < 120; i++) {
    await page.keyboard.press('Tab');
    const stop = (await page.evaluate(`(() => {
      const e = document.activeElement;
      if (!e || e === document.body) return undefined;
      const key = e.id || e.dataset.imageId || e.dataset.command || (e.tagName + ':' + (e.getAttribute('aria-label') || e.textContent.trim()));
      const labelled = e.getAttribute('aria-label') || (e.labels && [...e.labels].map((l) => l.textContent.trim()).join(' ')) || (e.tagName === 'INPUT' || e.tagName === 'SELECT' ? '' : e.textContent.trim());
      // A radio's focus shows on its label (styled as a button); anything else on itself.
      const shown = e.type === 'radio' ? e.closest('label') : e;
      const style = getComputedStyle(shown);
      const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0 && style.outlineColor !== 'rgba(0, 0, 0, 0)' ? style.outlineStyle + ' ' + style.outlineWidth + ' ' + style.outlineColor : '';
      return { key, label: labelled || '', outline };
    })()`)) as FocusStop | undefined;
    if (!stop) continue;
    if (stops.length > 0 && stop.key === stops[0]!.key) break;
    stops.push(stop);
  }
  return stops;
}

/** The controls a keyboard user must reach: visible, enabled, focusable; one radio per group. */
async function focusables(page: Page, within: string): Promise<string[]> {
  return (await page.evaluate(`[...document.querySelectorAll('${within} :is(button, input, select, summary, [tabindex]:not([tabindex="-1"]))')]
    .filter((e) => !e.disabled && e.getClientRects().length > 0 && (e.type !== 'radio' || e.checked))
    .map((e) => e.id || e.dataset.imageId || e.dataset.command || (e.tagName + ':' + (e.getAttribute('aria-label') || e.textContent.trim())))`)) as string[];
}

function seriousOnes(violations: Awaited<ReturnType<typeof axeAudit>>): string[] {
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 4).join(', ')}`);
}

describe('accessibility of the panel and the painter', () => {
  const suite = panelSuite(async () => {
    const files: Record<string, Buffer> = { 'hero-1.png': await png([30, 90, 200], 64, 48), 'emphasis-100.png': await png([240, 220, 0]) };
    for (const seed of [1, 2, 3]) files[`red-circle-${seed}.png`] = await png([200, 20 * seed, 20]);
    return files;
  });

  it('the theme file has every variable media/webview.css uses', () => {
    const used = cssVariables(readFileSync(join(ROOT, 'media', 'webview.css'), 'utf8'));
    for (const [kind, theme] of Object.entries(THEMES)) {
      const missing = used.filter((name) => !(name in theme.variables));
      assert.deepEqual(missing, [], `${kind} lacks these: run tools/webview-themes/capture.ts again`);
    }
    assert.deepEqual(Object.keys(THEMES).sort(), ['dark', 'highContrast', 'highContrastLight', 'light']);
  });

  for (const [kind, theme] of Object.entries(THEMES)) {
    it(`${kind} (${theme.theme}): no serious or critical axe violations; every control reachable by Tab, labelled, with a visible focus`, async () => {
      const p: PanelPage = await openPanel(suite.browser, suite.server);
      try {
        await applyTheme(p.page, theme);
        await until(p.page, 'window.__posted.length > 0');
        const state = sampleState(suite.server.origin);
        // The active block inpaints (all four image settings shown); the hero image has a before and a mask.
        state.blocks[1]!.mode = 'masked';
        const picture = (name: string) => ({ src: `${suite.server.origin}/${name}`, name: `shapes/${name}` });
        state.results[0]!.images.push({ ...image(suite.server.origin, 'hero', 1, 9000, 64, 48), id: 'shapes/hero-1.png', init: picture('red-circle-1.png'), mask: picture('red-circle-2.png') });
        state.errors = [{ id: 'e1', message: 'The model folder is missing', line: 4 }];
        state.runs = [{ runId: 'run-1', blockIndex: 2, image: 1, imageCount: 2, seed: 100, step: 3, steps: 20 }];
        await p.send({ type: 'state', state });
        await p.page.getByRole('button', { name: 'Seed 1, hero-1.png' }).click();
        await p.page.locator('#detail').waitFor({ state: 'visible' });
        await until(p.page, '[...document.images].every((i) => i.complete)');

        assert.deepEqual(seriousOnes(await axeAudit(p.page)), [], 'the panel');
        const panelStops = await tabThrough(p.page);
        const panelWanted = await focusables(p.page, '#panel');
        assert.deepEqual(panelWanted.filter((k) => !panelStops.some((s) => s.key === k)), [], 'every panel control is reached by Tab');
        assert.deepEqual(panelStops.filter((s) => s.label === '').map((s) => s.key), [], 'every stop has a label');
        assert.deepEqual(panelStops.filter((s) => s.outline === '').map((s) => s.key), [], 'every stop shows its focus');

        await p.page.locator('#detail').getByRole('button', { name: 'Paint mask' }).click();
        await p.page.locator('#painter').waitFor({ state: 'visible' });
        await p.page.locator('#painter-help, .painter-help summary').first().click();
        assert.deepEqual(seriousOnes(await axeAudit(p.page)), [], 'the painter');
        const painterStops = await tabThrough(p.page);
        const painterWanted = await focusables(p.page, '#painter');
        assert.ok(painterWanted.length >= 12, `painter controls: ${painterWanted.join(', ')}`);
        assert.deepEqual(painterWanted.filter((k) => !painterStops.some((s) => s.key === k)), [], 'every painter control is reached by Tab');
        assert.deepEqual(painterStops.filter((s) => s.label === '').map((s) => s.key), [], 'every stop has a label');
        assert.deepEqual(painterStops.filter((s) => s.outline === '').map((s) => s.key), [], 'every stop shows its focus');
        assert.deepEqual(await p.problems(), []);
      } finally {
        await p.page.close();
      }
    });
  }
});
