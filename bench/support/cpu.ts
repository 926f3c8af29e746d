import { readdirSync, readFileSync } from 'node:fs';

/** /proc counts CPU time in USER_HZ ticks: 100 a second on every Linux (`getconf CLK_TCK`). */
const TICKS_PER_SECOND = 100;

/** The pid of the DynamoDB Local JVM listening on the endpoint's port, from /proc (Linux); undefined elsewhere. */
export function dynamoDbLocalPid(endpoint: string): number | undefined {
  const port = new URL(endpoint).port;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      // The JVM itself, not the watchdog shell whose arguments name it too.
      if (argv[0] === 'java' && argv.some((a) => a.endsWith('DynamoDBLocal.jar')) && argv[argv.indexOf('-port') + 1] === port) {
        return Number(pid);
      }
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** The CPU time (user + system, ms) a process has used so far, from /proc (Linux); undefined where /proc lacks it. */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/**
 * The CPU time (ms) a JVM's JIT compiler threads have used so far (`C1 CompilerThread0`, `C2 …`: /proc shows the first
 * 15 characters of a thread's name); undefined where /proc lacks it. A JVM with two cores keeps one thread of each.
 */
export function jitCompilerCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    let ticks = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        if (!/^C[12] CompilerThre/.test(readFileSync(`/proc/${pid}/task/${task}/comm`, 'utf8'))) continue;
        const fields = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8').split(') ')[1]!.split(' ');
        ticks += Number(fields[11]) + Number(fields[12]);
      } catch {
        // the thread ended meanwhile
      }
    }
    return (ticks * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** This process's CPU time (user + system, ms) so far. */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
