import cliProgress from 'cli-progress';
import type { Progress } from '../platform/deps.js';

/** A progress bar per phase with rate and ETA on a terminal; a line per phase otherwise (logs, CI). */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr): (p: Progress) => void {
  let bar: cliProgress.SingleBar | null = null;
  let phase = '';
  const started = Date.now();
  return (p: Progress) => {
    if (p.phase !== phase) {
      bar?.stop();
      phase = p.phase;
      if (stream.isTTY) {
        bar = new cliProgress.SingleBar(
          { format: `${p.phase.padEnd(18)} [{bar}] {percentage}% {value}/{total} | ETA {eta_formatted} | {duration_formatted}`, stream, hideCursor: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(p.total, p.done);
      } else {
        stream.write(`${p.phase}: ${p.total} (${((Date.now() - started) / 1000).toFixed(1)} s elapsed)\n`);
      }
    }
    bar?.update(p.done);
    if (p.done >= p.total && bar) {
      bar.stop();
      bar = null;
    }
  };
}
