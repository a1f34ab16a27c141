import { readdirSync, writeFileSync } from 'node:fs';
import { readImage } from '@facekit/core/node';
import type { ImageU8 } from '@facekit/core';
import { createHumanDetector } from '@facekit/detect/node';
const dir = '/work/shared/data/images/';
const det = await createHumanDetector();
function flip(im: ImageU8): ImageU8 { const d = new Uint8Array(im.data.length); const c = im.channels; for (let y = 0; y < im.height; y++) for (let x = 0; x < im.width; x++) for (let k = 0; k < c; k++) d[(y*im.width+x)*c+k] = im.data[(y*im.width+(im.width-1-x))*c+k]; return { ...im, data: d }; }
const out: unknown[] = [];
for (const f of readdirSync(dir).filter((f) => /\.(png|jpg)$/.test(f))) {
  const im = await readImage(dir + f);
  for (const [tag, img] of [['', im], ['flip', flip(im)]] as const) {
    const t0 = performance.now();
    const [face] = await det.detect(img);
    const t1 = performance.now();
    if (!face) { console.log('no face', f, tag); continue; }
    out.push({ file: f, tag, w: img.width, h: img.height, box: face.box, dense: Array.from(face.dense!) });
    console.log(f, tag, img.width, img.height, face.box.map((x) => x.toFixed(0)).join(','), (t1 - t0).toFixed(0), 'ms');
  }
}
writeFileSync('/tmp/obs.json', JSON.stringify(out));
process.exit(0);
