import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The CJK font of the PDF bills, installed by npm with the project (no font installed by hand on the
 * machine is ever used): Noto Sans SC ("Noto Sans Hans", OTF/CFF, SIL OFL 1.1) from the
 * `@embedpdf/fonts-sc` package — one file per weight covering all of GBK's hanzi (GB 2312 included),
 * Latin and digits. pdfkit (fontkit) embeds only the glyphs a bill uses, so a bill is ~100 KB.
 */
export const FONT_PACKAGE = '@embedpdf/fonts-sc';
export const FONT_FILES = { regular: 'NotoSansHans-Regular.otf', bold: 'NotoSansHans-Bold.otf' } as const;
/** The PostScript names, as they appear (after a subset tag) in the PDF's font dictionaries. */
export const FONT_NAMES = { regular: 'NotoSansHans-Regular', bold: 'NotoSansHans-Bold' } as const;

export interface CjkFonts {
  regular: Buffer;
  bold: Buffer;
}

let cached: CjkFonts | undefined;

/** The folder of the package's font files (its exports name only its JS entry, so go from there). */
export function fontDirectory(): string {
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve(FONT_PACKAGE);
  } catch {
    throw new Error(`the CJK font package ${FONT_PACKAGE} is not installed: run npm install`);
  }
  return path.join(path.dirname(entry), '..', 'fonts');
}

/** Read once per process (8 MB each) and kept: every PDF embeds its own subset of them. */
export function cjkFonts(): CjkFonts {
  if (!cached) {
    const dir = fontDirectory();
    cached = { regular: fs.readFileSync(path.join(dir, FONT_FILES.regular)), bold: fs.readFileSync(path.join(dir, FONT_FILES.bold)) };
  }
  return cached;
}
