import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatDiagnostic } from '../../../src/core/diagnostics';
import { effectiveSettings, parseSdprompt } from '../../../src/core/format/parse';

function parse(text: string) {
  return parseSdprompt(text, 'f.sdprompt');
}

function messages(text: string): string[] {
  return parse(text).diagnostics.map(formatDiagnostic);
}

describe('image-to-image settings', () => {
  test('every setting reads its value, A1111’s names included', () => {
    const parsed = parse(
      [
        '--- edit',
        'a red circle',
        'init: photos/cat.png',
        'strength: .5',
        'resize: Crop and resize',
        'mask: masks/cat.png',
        'mask_invert: true',
        'mask_blur: 8',
        'masked_content: latent noise',
        'inpaint_area: Only masked',
        'padding: 48',
      ].join('\n'),
    );
    assert.deepEqual(parsed.diagnostics, []);
    const s = effectiveSettings(parsed, parsed.blocks[0]!).settings;
    assert.deepEqual(
      [s.init?.value, s.strength?.value, s.resize?.value, s.mask?.value, s.mask_invert?.value, s.mask_blur?.value, s.masked_content?.value, s.inpaint_area?.value, s.padding?.value],
      ['photos/cat.png', 0.5, 'crop', 'masks/cat.png', true, 8, 'latent noise', 'masked', 48],
    );
    const outpaint = parse('--- o\nx\ninit: a.png\noutpaint: left 64, bottom 8\ndepth: auto\n');
    const o = effectiveSettings(outpaint, outpaint.blocks[0]!).settings;
    assert.deepEqual(o.outpaint?.value, { left: 64, right: 0, top: 0, bottom: 8 });
    assert.equal(o.depth?.value, 'auto');
  });

  test('bad values are errors at their column, with a suggestion where one is close', () => {
    assert.deepEqual(messages('--- b\nx\ninit: a.png\nstrength: 1.5\nresize: crp\nmask_blur: 65\nmasked_content: noise\noutpaint: right 30, left 8, right 8\n'), [
      'f.sdprompt:4:11: error: strength must be a number from 0 to 1, such as 0.75 (how much of the init is redrawn)',
      "f.sdprompt:5:9: error: unknown resize mode 'crp'; did you mean 'crop'?",
      'f.sdprompt:6:12: error: mask_blur must be a whole number of pixels from 0 to 64',
      "f.sdprompt:7:17: error: unknown masked content 'noise'; use original, fill, latent noise, latent nothing",
      'f.sdprompt:8:11: error: right 30: the canvas grows by a positive multiple of 8 pixels, at most 2048',
    ]);
    assert.deepEqual(messages('--- b\nx\ninit: a.png\noutpaint: right 8, up 8\n'), [
      "f.sdprompt:4:20: error: 'up 8' is not a side and its pixels: write e.g. 'left 64, right 32' (sides: left, right, top, bottom)",
    ]);
    assert.deepEqual(messages('--- b\nx\ninit: a.png\noutpaint: right 8, right 16\n'), ['f.sdprompt:4:20: error: right is given twice']);
  });

  test('settings that need another, or contradict one, are flagged on the block’s effective settings', () => {
    assert.deepEqual(messages('--- a\nx\nmask: m.png\nstrength: 0.5\n'), [
      "f.sdprompt:3:1: error: a mask needs an init image to repaint: add 'init: FILE'",
      'f.sdprompt:4:1: warning: strength has no effect without an init image',
    ]);
    assert.deepEqual(messages('--- a\nx\ninit: i.png\nmask: m.png\noutpaint: right 64\ninpaint_area: masked\n'), [
      'f.sdprompt:5:1: error: outpaint makes its own mask: use either mask or outpaint',
      'f.sdprompt:6:1: error: inpaint_area: masked does not apply to outpainting, which repaints the whole canvas',
    ]);
    assert.deepEqual(messages('--- a\nx\ndepth: auto\n'), ["f.sdprompt:3:1: error: depth: auto estimates depth from the init image: add 'init: FILE', or give a depth map"]);
    assert.deepEqual(messages('--- a\nx\ninit: i.png\nmask_blur: 2\npadding: 8\n'), [
      'f.sdprompt:4:1: warning: mask_blur has no effect without a mask or outpaint',
      'f.sdprompt:5:1: warning: padding has no effect without a mask',
    ]);
    assert.deepEqual(messages('--- a\nx\ninit: i.png\nmask: m.png\npadding: 8\n'), ['f.sdprompt:5:1: warning: padding applies only with inpaint_area: masked']);
    // A depth map without an init conditions text to image; resize then applies to the map.
    assert.deepEqual(messages('--- a\nx\ndepth: d.png\nresize: fill\n'), []);
  });

  test('a header’s init serves every block, and a problem it causes is reported once', () => {
    assert.deepEqual(messages('init: i.png\n--- a\nx\nmask: m.png\n--- b\ny\nmask: n.png\n'), []);
    assert.deepEqual(messages('mask: m.png\n--- a\nx\n--- b\ny\n'), ["f.sdprompt:1:1: error: a mask needs an init image to repaint: add 'init: FILE'"]);
  });
});
