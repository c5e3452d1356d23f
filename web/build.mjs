// Copies the display's offline base map into the Python package: Natural Earth 1:50m countries (public domain)
// from the npm package world-atlas, cut to the region around Niger and converted to GeoJSON with topojson-client.
// Run `npm ci && npm run build` in web/ after changing the versions in package.json; the output is committed so
// the package needs no Node.js at install or run time.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { feature } from 'topojson-client';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, '..', 'src', 'airpicture', 'serve', 'static', 'vendor');
const atlasDir = path.join(here, 'node_modules', 'world-atlas');
const atlas = JSON.parse(fs.readFileSync(path.join(atlasDir, 'countries-50m.json'), 'utf8'));
const version = JSON.parse(fs.readFileSync(path.join(atlasDir, 'package.json'), 'utf8')).version;
// West and central Africa: everything a Niamey display can pan to.
const [west, south, east, north] = [-20, -2, 32, 35];

function bbox(coords, box = [Infinity, Infinity, -Infinity, -Infinity]) {
  if (typeof coords[0] === 'number') {
    box[0] = Math.min(box[0], coords[0]); box[1] = Math.min(box[1], coords[1]);
    box[2] = Math.max(box[2], coords[0]); box[3] = Math.max(box[3], coords[1]);
    return box;
  }
  for (const c of coords) bbox(c, box);
  return box;
}
const round = (coords) => (typeof coords[0] === 'number'
  ? [Math.round(coords[0] * 1e3) / 1e3, Math.round(coords[1] * 1e3) / 1e3]
  : coords.map(round));

const countries = feature(atlas, atlas.objects.countries).features
  .filter((f) => f.geometry)
  .filter((f) => { const b = bbox(f.geometry.coordinates); return b[0] < east && b[2] > west && b[1] < north && b[3] > south; })
  .map((f) => ({ type: 'Feature', properties: { name: f.properties.name },
    geometry: { type: f.geometry.type, coordinates: round(f.geometry.coordinates) } }));

fs.mkdirSync(out, { recursive: true });
const collection = { type: 'FeatureCollection',
  source: `Natural Earth 1:50m countries via world-atlas ${version} (public domain)`, features: countries };
fs.writeFileSync(path.join(out, 'countries-50m-africa.geojson'), JSON.stringify(collection));
console.log(`wrote ${countries.length} countries to ${path.relative(process.cwd(), out)}/countries-50m-africa.geojson`);
