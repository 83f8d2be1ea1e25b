// A person saving a local copy, as a separate process (plain JavaScript: starts fast).
//   node saver.mjs <path> <openapi|hoppscotch> once <n> <rename|inplace>
//     adds save n and exits;
//   node saver.mjs <path> <openapi|hoppscotch> loop <count> <rename|inplace> [batch]
//     adds saves 1..count, one every 0–20 ms, printing each number once saved;
//     with a batch size, after each batch it waits for a line on stdin (the
//     engine wrote once more), so the engine writes between the batches
//     however slow the machine is.
// A save is a read-modify-write that adds its number to the user's own list:
// `x-saves` at the document root (OpenAPI), or a line in the collection's
// pre-request script (Hoppscotch). A save the engine overwrites without
// merging is gone from every later save, so the list shows each lost save.
import { readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';

const [path, kind, mode, countText, style, batchText] = process.argv.slice(2);
const batch = batchText === undefined ? 0 : Number(batchText);
let credits = 0;

/** Block until the test says the engine wrote once more (a line on stdin). */
function waitForWrite() {
  const buffer = Buffer.alloc(64);
  while (credits === 0) {
    const read = readSync(0, buffer, 0, buffer.length, null);
    if (read === 0) return;
    credits += buffer.subarray(0, read).toString().split('\n').length - 1;
  }
  credits -= 1;
}

function save(n) {
  const value = JSON.parse(readFileSync(path, 'utf8'));
  if (kind === 'openapi') value['x-saves'] = [...(value['x-saves'] ?? []), n];
  else value.preRequestScript = `${value.preRequestScript ?? ''}// save ${n}\n`;
  const text = JSON.stringify(value, null, 2);
  if (style === 'rename') {
    const temp = `${path}.editor-${process.pid}`;
    writeFileSync(temp, text);
    renameSync(temp, path);
  } else writeFileSync(path, text);
}

if (mode === 'once') save(Number(countText));
else {
  const count = Number(countText);
  for (let n = 1; n <= count; n++) {
    // A file caught mid-write by an in-place save of our own cannot happen (we are the only in-place writer);
    // the engine's writes are atomic. Retry only what a parse of a replaced file can throw.
    for (;;) {
      try {
        save(n);
        break;
      } catch (error) {
        if (!(error instanceof SyntaxError) && error.code !== 'ENOENT') throw error;
      }
    }
    process.stdout.write(`${n}\n`);
    if (batch > 0 && n % batch === 0 && n < count) waitForWrite();
    const until = Date.now() + Math.floor(Math.random() * 21);
    while (Date.now() < until) await new Promise((r) => setTimeout(r, 1));
  }
}
