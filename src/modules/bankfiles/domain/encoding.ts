/**
 * Which text encoding a file is in: UTF-8 when every byte sequence is valid UTF-8, otherwise GB 18030
 * (a superset of GBK and GB 2312, what Chinese Windows exports write). Pure ASCII is valid UTF-8 and reads
 * the same either way. Fed chunk by chunk, so a large file is checked in bounded memory.
 */
export const TEXT_ENCODINGS = ['utf-8', 'gb18030'] as const;
export type TextEncoding = (typeof TEXT_ENCODINGS)[number];

export class EncodingSniffer {
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });
  private valid = true;

  push(chunk: Uint8Array): void {
    if (!this.valid) return;
    try {
      this.utf8.decode(chunk, { stream: true });
    } catch {
      this.valid = false;
    }
  }

  end(): TextEncoding {
    if (this.valid) {
      try {
        this.utf8.decode();
      } catch {
        this.valid = false; // the file ends inside a multi-byte sequence
      }
    }
    return this.valid ? 'utf-8' : 'gb18030';
  }
}

/** A streaming decoder for the encoding (a UTF-8 BOM is dropped; GB 18030 has none in practice). */
export function decoderFor(encoding: TextEncoding): TextDecoder {
  return new TextDecoder(encoding);
}
