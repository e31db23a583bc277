// Test support, run as its own process: a TLS-terminating proxy holding the endpoint's server certificate and key (the
// attacker of the policy-set omission finding: a corporate TLS inspection box, a load balancer someone took over). It
// forwards every request and the push WebSocket to the real endpoint and, as the mode file says, tampers with policy
// fetches: `pass` (forward as is), `omit-one` (drop the first policy, keep the signed manifest), `empty` (no policies),
// `replay-first` (answer with the first policies response it ever saw for the device). In tampering modes it strips
// If-None-Match so the endpoint always answers with a body, and it cuts the push channel and refuses it (503): a set
// that travels over the socket would otherwise pass untampered (the agent verifies both paths with the same code,
// docs/protocol.md; this proxy only rewrites HTTP bodies).
// Usage: node --import tsx test/tls-proxy.ts <listen port> <upstream URL> <endpoint data dir> <mode file>
import { readFileSync } from 'node:fs';
import { createServer, request } from 'node:https';
import { connect } from 'node:tls';

const [portArg, upstreamArg, dataDir, modeFile] = process.argv.slice(2);
if (!portArg || !upstreamArg || !dataDir || !modeFile) throw new Error('usage: tls-proxy <port> <upstream> <data dir> <mode file>');
const upstream = new URL(upstreamArg);
const ca = readFileSync(`${dataDir}/ca.pem`, 'utf8');
const firstResponse = new Map<string, Uint8Array>();
const mode = () => readFileSync(modeFile, 'utf8').trim();

const server = createServer({ cert: readFileSync(`${dataDir}/server.pem`), key: readFileSync(`${dataDir}/server-key.pem`) }, (req, res) => {
  const current = mode();
  const isFetch = req.method === 'GET' && req.url === '/v1/device/policies';
  const headers = { ...req.headers, host: upstream.host };
  if (isFetch && current !== 'pass') delete headers['if-none-match'];
  const out = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers, ca, servername: upstream.hostname }, (up) => {
    const chunks: Buffer[] = [];
    up.on('data', (c: Buffer) => chunks.push(c));
    up.on('end', () => {
      let body: Uint8Array = Buffer.concat(chunks);
      const device = String(req.headers['x-attache-device'] ?? req.headers['x-attache-device-id'] ?? 'any');
      if (isFetch && up.statusCode === 200) {
        if (!firstResponse.has(device)) firstResponse.set(device, body);
        const json = JSON.parse(Buffer.from(body).toString()) as { policies: unknown[] };
        if (current === 'omit-one') body = Buffer.from(JSON.stringify({ ...json, policies: json.policies.slice(1) }));
        if (current === 'empty') body = Buffer.from(JSON.stringify({ ...json, policies: [] }));
        if (current === 'replay-first') body = firstResponse.get(device) ?? body;
      }
      const outHeaders = { ...up.headers, 'content-length': String(body.length) };
      delete outHeaders['transfer-encoding'];
      res.writeHead(up.statusCode ?? 502, outHeaders);
      res.end(body);
    });
  });
  out.on('error', () => {
    res.writeHead(502);
    res.end();
  });
  req.pipe(out);
});

// The push channel: the upgrade request is replayed to the endpoint byte for byte, then both sides are piped. While a
// tampering mode is set the channel is cut and refused, so sets and check-ins take the (tampered) HTTPS path.
const piped = new Set<{ destroy(): void }>();
setInterval(() => {
  if (mode() === 'pass') return;
  for (const s of piped) s.destroy();
  piped.clear();
}, 50);
server.on('upgrade', (req, socket, head) => {
  if (mode() !== 'pass') {
    socket.end('HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    return;
  }
  const pair = {
    destroy: () => {
      socket.destroy();
      up.destroy();
    },
  };
  piped.add(pair);
  socket.on('close', () => piped.delete(pair));
  const up = connect({ host: upstream.hostname, port: Number(upstream.port), ca, servername: upstream.hostname }, () => {
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    up.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) up.write(head);
    up.pipe(socket);
    socket.pipe(up);
  });
  up.on('error', () => socket.destroy());
  socket.on('error', () => up.destroy());
});

server.listen(Number(portArg), '127.0.0.1', () => process.stdout.write('proxy listening\n'));
