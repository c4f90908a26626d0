import { createServer } from 'node:http';

/** A loopback HTTP server that records every request (method, headers, raw body) and answers 200. */
export async function startListener() {
  const received = [];
  const waiters = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const hook = { method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(hook);
      res.writeHead(200).end();
      waiters.splice(0).forEach((w) => w());
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    /** Resolves with the first recorded request that matches, or rejects after timeoutMs with what did arrive. */
    async next(predicate, what, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = received.find(predicate);
        if (hit) return hit;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`${what}: no matching webhook within ${timeoutMs / 1000} s (got ${received.length}: ${received.map((r) => r.body.slice(0, 80)).join(' | ')})`);
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => { clearTimeout(timer); resolve(); });
        });
      }
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
