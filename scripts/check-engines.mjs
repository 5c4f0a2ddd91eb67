#!/usr/bin/env node
// Every dependency must run on every Node version Granary's package.json `engines` allows: the range
// must be a subset of each package's own `engines.node`, for the packages in package-lock.json (other
// platforms' optional ones too) and those installed under node_modules. Exits 1 listing those that don't.
import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';

const root = path.resolve(import.meta.dirname, '..');
const ours = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).engines.node;

/** package location@version → its engines.node, when it names one as a string. */
const wanted = new Map();
const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
for (const [where, pkg] of Object.entries(lock.packages)) if (where && typeof pkg.engines?.node === 'string') wanted.set(`${where}@${pkg.version}`, pkg.engines.node);

function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === '.bin') continue;
    const at = path.join(dir, entry.name);
    if (entry.name.startsWith('@')) { walk(at); continue; }
    const manifest = path.join(at, 'package.json');
    if (fs.existsSync(manifest)) {
      const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8'));
      if (typeof pkg.engines?.node === 'string') wanted.set(`${path.relative(root, at)}@${pkg.version}`, pkg.engines.node);
    }
    if (fs.existsSync(path.join(at, 'node_modules'))) walk(path.join(at, 'node_modules'));
  }
}
if (fs.existsSync(path.join(root, 'node_modules'))) walk(path.join(root, 'node_modules'));

const disagree = [...wanted].filter(([, range]) => semver.validRange(range) && !semver.subset(ours, range));
for (const [pkg, range] of disagree) console.error(`${pkg} wants node ${range}, which does not cover "${ours}"`);
console.log(`engines: ${wanted.size} packages name a Node range; ${disagree.length} disagree with "${ours}"`);
process.exit(disagree.length ? 1 : 0);
