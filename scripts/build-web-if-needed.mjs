#!/usr/bin/env node
// Builds the web UI into web/dist when it is missing or older than its sources (npm start / npm test).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const dist = path.join(root, 'web/dist/index.html');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

// src/shared/capitals.ts (人民币大写) and the money.ts it uses: the server files the web app imports
const sources = [path.join(root, 'web/src'), path.join(root, 'web/index.html'), path.join(root, 'web/vite.config.ts'), path.join(root, 'src/shared/capitals.ts'), path.join(root, 'src/shared/money.ts')].filter((p) => fs.existsSync(p));
const newestSource = Math.max(...sources.map((p) => (fs.statSync(p).isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs)));
if (fs.existsSync(dist) && fs.statSync(dist).mtimeMs >= newestSource) process.exit(0);

console.error('building the web UI (web/dist)…');
execFileSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
