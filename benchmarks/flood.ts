import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';

/*
 * One process of the hostile bench's idle flood (benchmarks/hostile.ts): a process may open only so many
 * files (ulimit -n, 20,000 here), so the flood is spread over several. Usage: flood.ts PORT COUNT ADDRESS.
 * Opens COUNT connections from ADDRESS, each sending the start of a request and then holding; prints
 * {"opened": n} when all are started; on a line on stdin, prints {"held", "refused"} and closes them all.
 */
const [port, count, address] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]!];
const sockets: Socket[] = [];
let refused = 0;
for (let i = 0; i < count; i++) {
  const socket = connect({ port, host: '127.0.0.1', localAddress: address });
  socket.on('error', () => {});
  socket.on('data', (d) => {
    if (String(d).startsWith('HTTP/1.1 503')) refused++;
  });
  socket.on('connect', () => socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'));
  sockets.push(socket);
  if (i % 500 === 499) await new Promise((resolve) => setTimeout(resolve, 20));
}
console.log(JSON.stringify({ opened: count }));
createInterface({ input: process.stdin }).once('line', () => {
  const held = sockets.filter((s) => !s.destroyed && !s.readableEnded).length;
  console.log(JSON.stringify({ held, refused }));
  for (const s of sockets) s.destroy();
  process.exit(0);
});
