/**
 * Redis MONITOR on a plain socket: every command the server runs, as it
 * runs it, with who sent it (`lua` for a command a script ran). ioredis's
 * own `monitor()` loses its place when the server's first lines arrive with
 * the `+OK` under load ("Command queue state error"); this reads the
 * simple-string lines itself.
 */
import { connect } from 'node:net';

/** One command the server ran. */
export interface MonitoredCommand {
  /** The command and its arguments, unescaped (`\xNN` as that byte, read as latin1). */
  args: string[];
  /** `lua` for a command run inside a script, else the client's `host:port`. */
  source: string;
}

/** A running MONITOR: `stop()` closes its connection. */
export interface RedisMonitor {
  stop(): void;
}

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', a: '\x07', b: '\b', '"': '"', '\\': '\\' };

function unescape(text: string): string {
  return text.replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_, code: string) =>
    code.length === 3 ? String.fromCharCode(parseInt(code.slice(1), 16)) : (ESCAPES[code] ?? code),
  );
}

/** Parse one MONITOR line (`<time> [<db> <source>] "cmd" "arg" …`); `undefined` for anything else. */
export function parseMonitorLine(line: string): MonitoredCommand | undefined {
  const match = /^\d+\.\d+ \[\d+ ([^\]]+)\] (.*)$/.exec(line);
  if (!match) return undefined;
  const args = [...match[2]!.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => unescape(m[1]!));
  return { args, source: match[1]! };
}

/** Start a MONITOR on `127.0.0.1:<port>`; resolves once the server has begun to report. */
export function monitorRedis(port: number, onCommand: (command: MonitoredCommand) => void): Promise<RedisMonitor> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let buffer = '';
    let started = false;
    socket.setEncoding('latin1');
    socket.on('error', (error) => (started ? undefined : reject(error)));
    socket.on('connect', () => socket.write('MONITOR\r\n'));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (!started) {
          if (line !== '+OK') return reject(new Error(`MONITOR answered ${line}`));
          started = true;
          resolve({ stop: () => socket.destroy() });
          continue;
        }
        const command = line.startsWith('+') ? parseMonitorLine(line.slice(1)) : undefined;
        if (command) onCommand(command);
      }
    });
  });
}
