// A tiny dev server for the restart scenarios, run as a child process:
// `node dev-server.mjs <port> <spec.json>` reads the OpenAPI document once at
// start (as a framework builds its routes), serves it at /openapi.json on
// 127.0.0.1:<port>, and prints `listening <epoch ms>` once it accepts
// connections. Kill it to simulate the stop half of a restart.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const [port, specPath] = process.argv.slice(2);
const body = readFileSync(specPath);
const server = createServer((req, res) => {
  if (req.url === '/openapi.json') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
    return;
  }
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end('{"detail":"Not Found"}');
});
server.listen(Number(port), '127.0.0.1', () => process.stdout.write(`listening ${Date.now()}\n`));
