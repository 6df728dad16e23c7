// `node tools/example-pictures.mjs`: the pictures examples/image-to-image.sdprompt starts from,
// drawn in the demo world's palette (tools/demo-model/world.json): a red disc on blue (the init),
// a white square over it (the mask), and a depth map whose near disc sits in the top-left quadrant.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';

const root = path.resolve(import.meta.dirname, '..');
const world = JSON.parse(readFileSync(path.join(root, 'tools', 'demo-model', 'world.json'), 'utf8'));
const rgb = (name) => world.palette.find((c) => c.name === name).rgb;
const SIDE = 64;

/** A SIDE x SIDE picture, `pixel(x, y)` giving each pixel's samples. */
function draw(file, channels, pixel) {
  const data = Buffer.alloc(SIDE * SIDE * channels);
  for (let y = 0; y < SIDE; y++) for (let x = 0; x < SIDE; x++) data.set(pixel(x, y), (y * SIDE + x) * channels);
  return sharp(data, { raw: { width: SIDE, height: SIDE, channels } }).png().toFile(path.join(root, 'examples', file));
}

const inDisc = (cx, cy, r) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 < r * r;
const circle = inDisc(32, 32, 16);
const corner = inDisc(18, 18, 12);
await draw('circle.png', 3, (x, y) => (circle(x, y) ? rgb('red') : rgb('blue')));
await draw('circle-mask.png', 1, (x, y) => [x >= 12 && x < 52 && y >= 12 && y < 52 ? 255 : 0]);
await draw('near-corner.png', 1, (x, y) => [corner(x, y) ? 255 : 0]);
