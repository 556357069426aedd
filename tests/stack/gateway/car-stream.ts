// Streams a CARv1 to an HTTP response as blocks are read, with backpressure: CarWriter only resolves a put
// once the previous bytes were taken, and the response is only written while its buffer drains.
import type { ServerResponse } from 'node:http';
import { CarWriter } from '@ipld/car';
import { blockLength, headerLength } from '@ipld/car/buffer-writer';
import type { CID } from 'multiformats/cid';
import type { Block } from './dag-walk';

/**
 * Fault injection for tamper tests (only reachable on a gateway started with `faults: true`):
 * - `mid-block`: the response ends cleanly (HTTP-wise) half way through the DAG's last block.
 * - `drop-last-block`: a well-formed CAR that simply lacks the DAG's last block.
 */
export type CarTruncation = 'off' | 'mid-block' | 'drop-last-block';

/**
 * Fault injection for progressive-view tests: a CAR response stops after `afterBytes` (those bytes are sent)
 * until `released` settles, as a slow link would.
 */
export interface CarHold {
  afterBytes: number;
  released: Promise<void>;
}

/** The client closed the connection before the CAR was complete: nothing more to send, nothing broken. */
export class ClientGoneError extends Error {
  constructor() {
    super('The client closed the connection during a CAR response.');
    this.name = 'ClientGoneError';
  }
}

async function produce(
  root: CID,
  blocks: AsyncIterable<Block>,
  writer: { put(block: Block): Promise<void> },
  truncation: CarTruncation,
  setCut: (offset: number) => void,
  gone: () => boolean,
): Promise<void> {
  if (truncation === 'off') {
    for await (const block of blocks) {
      if (gone()) throw new ClientGoneError();
      await writer.put(block);
    }
    return;
  }
  let offset = headerLength({ roots: [root] });
  let previous: Block | undefined;
  for await (const block of blocks) {
    if (gone()) throw new ClientGoneError();
    if (previous !== undefined) {
      offset += blockLength(previous);
      await writer.put(previous);
    }
    previous = block;
  }
  if (previous !== undefined && truncation === 'mid-block') {
    setCut(offset + Math.floor(blockLength(previous) / 2));
    await writer.put(previous);
  }
}

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Writes the CAR body; rejects (after destroying the response) if reading the DAG fails part way. */
export async function sendCar(
  res: ServerResponse,
  root: CID,
  blocks: AsyncIterable<Block>,
  truncation: CarTruncation,
  hold: CarHold | null = null,
): Promise<void> {
  const { writer, out } = CarWriter.create([root]);
  let cutAt = Number.POSITIVE_INFINITY;
  let producerError: unknown;
  const producer = produce(
    root,
    blocks,
    writer,
    truncation,
    (offset) => (cutAt = offset),
    () => res.destroyed,
  )
    .catch((err: unknown) => {
      producerError = err;
    })
    .finally(() => writer.close());

  let written = 0;
  for await (const chunk of out) {
    if (res.destroyed) continue; // keep draining so the producer notices and stops
    let part = chunk;
    if (written + part.byteLength > cutAt) part = part.subarray(0, Math.max(0, cutAt - written));
    if (hold !== null && written + part.byteLength > hold.afterBytes) {
      const before = part.subarray(0, Math.max(0, hold.afterBytes - written));
      if (before.byteLength > 0) res.write(before);
      written += before.byteLength;
      part = part.subarray(before.byteLength);
      await hold.released;
      hold = null;
    }
    written += part.byteLength;
    if (part.byteLength > 0 && !res.write(part)) {
      await drainedOrClosed(res);
    }
  }
  await producer;
  if (producerError !== undefined) {
    // Headers (200) are already out: the only honest signal left is an aborted transfer.
    res.destroy(producerError instanceof Error ? producerError : new Error(String(producerError)));
    throw producerError;
  }
  res.end();
}
