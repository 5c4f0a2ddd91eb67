#!/usr/bin/env node
// The browser test drives Debian's Chromium. Installs it when missing and we are root with apt-get
// (fresh machines, CI); otherwise says what to install. Nothing else the tests need is outside npm.
import { execSync } from 'node:child_process';
import fs from 'node:fs';

const CHROMIUM = process.env.GRANARY_CHROMIUM ?? '/usr/bin/chromium';
if (fs.existsSync(CHROMIUM)) process.exit(0);

const isRoot = process.getuid?.() === 0;
const hasApt = fs.existsSync('/usr/bin/apt-get');
if (!isRoot || !hasApt) {
  console.error(`The browser test needs Chromium at ${CHROMIUM}. Install it (Debian/Ubuntu: sudo apt-get install -y chromium) or set GRANARY_CHROMIUM.`);
  process.exit(1);
}
console.error('installing Chromium for the browser test (apt-get install chromium)…');
execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null', { stdio: 'inherit', shell: '/bin/bash' });
