// The durable outbox: oldest first, acknowledged messages removed, bounded, superseded messages dropped, unreadable
// files dropped, sequence kept across instances, bad names refused.
import { describe, expect, it } from 'vitest';
import { MemoryFileStore } from '../system/file-store.js';
import { Outbox, type OutboxOptions } from './outbox.js';

interface Msg {
  readonly n: number;
}

function outbox(files = new MemoryFileStore(), options: Partial<OutboxOptions<Msg>> = {}) {
  return new Outbox<Msg>(
    {
      dir: '/state/box',
      tag: /(?:a|b)-\d+/,
      limit: 3,
      decode: (data) => {
        if (typeof (data as Msg).n !== 'number') throw new Error('not a message');
        return data as Msg;
      },
      ...options,
    },
    files,
  );
}

describe('Outbox', () => {
  it('gives back what this process queued without decoding it again, but decodes a file changed on disk', async () => {
    const files = new MemoryFileStore();
    let decoded = 0;
    const box = outbox(files, {
      decode: (data) => {
        decoded++;
        if (typeof (data as Msg).n !== 'number') throw new Error('not a message');
        return data as Msg;
      },
    });
    const name = await box.enqueue(1, 'a-1', { n: 1 });
    await box.enqueue(2, 'a-2', { n: 2 });
    expect((await box.pending()).map((q) => q.message.n)).toEqual([1, 2]);
    expect(decoded).toBe(0);
    await files.writeAtomic(`/state/box/${name}`, JSON.stringify({ n: 7 }));
    expect((await box.pending()).map((q) => q.message.n)).toEqual([7, 2]);
    expect(decoded).toBe(1);
    // Another process (a restarted agent) knows nothing it queued: it decodes every file.
    const restarted = outbox(files, {
      decode: (data) => {
        decoded++;
        return data as Msg;
      },
    });
    expect((await restarted.pending()).map((q) => q.message.n)).toEqual([7, 2]);
    expect(decoded).toBe(3);
  });

  it('gives queued messages back oldest first by sequence, whatever order they were written in', async () => {
    const box = outbox();
    await box.enqueue(10, 'a-10', { n: 10 });
    await box.enqueue(2, 'a-2', { n: 2 });
    await box.enqueue(9, 'b-9', { n: 9 });
    expect((await box.pending()).map((q) => q.message.n)).toEqual([2, 9, 10]);
    expect(await box.lastSequence()).toBe(10);
  });

  it('removes an acknowledged message and keeps the rest', async () => {
    const box = outbox();
    const first = await box.enqueue(1, 'a-1', { n: 1 });
    await box.enqueue(2, 'a-2', { n: 2 });
    expect(first).toBe('0000000000000001-a-1.json');
    await box.remove(first);
    await box.remove(first); // acknowledged twice: fine
    expect((await box.pending()).map((q) => q.name)).toEqual(['0000000000000002-a-2.json']);
  });

  it('is bounded: queuing past the limit drops the oldest', async () => {
    const box = outbox();
    for (const n of [1, 2, 3, 4, 5]) await box.enqueue(n, `a-${n}`, { n });
    expect((await box.pending()).map((q) => q.message.n)).toEqual([3, 4, 5]);
  });

  it('drops what a new message supersedes before counting the limit', async () => {
    const box = outbox(new MemoryFileStore(), { supersedes: (tag, old) => tag.startsWith('b') && old.startsWith('b') });
    await box.enqueue(1, 'a-1', { n: 1 });
    await box.enqueue(2, 'b-2', { n: 2 });
    await box.enqueue(3, 'a-3', { n: 3 });
    await box.enqueue(4, 'b-4', { n: 4 });
    expect((await box.pending()).map((q) => q.message.n)).toEqual([1, 3, 4]);
  });

  it('sets aside files it cannot read back and ignores files that are not queued messages', async () => {
    const files = new MemoryFileStore();
    const box = outbox(files);
    await box.enqueue(1, 'a-1', { n: 1 });
    await files.writeAtomic('/state/box/0000000000000002-a-2.json', 'not json');
    await files.writeAtomic('/state/box/0000000000000003-b-3.json', '{"other":true}');
    await files.writeAtomic('/state/box/.3f2a.tmp', '{"n":7}');
    expect((await box.pending()).map((q) => q.message.n)).toEqual([1]);
    expect((await files.list('/state/box')).sort()).toEqual([
      '.3f2a.tmp',
      '0000000000000001-a-1.json',
      '0000000000000002-a-2.json.corrupt',
      '0000000000000003-b-3.json.corrupt',
    ]);
    // Set aside once: the queue does not see them again.
    expect((await box.pending()).map((q) => q.message.n)).toEqual([1]);
  });

  it('keeps the sequence across instances (a restarted agent) and starts at 0 when empty or missing', async () => {
    const files = new MemoryFileStore();
    expect(await outbox(files).lastSequence()).toBe(0);
    await outbox(files).enqueue(41, 'a-41', { n: 41 });
    expect(await outbox(files).lastSequence()).toBe(41);
    await outbox(files).clear();
    expect(await outbox(files).pending()).toEqual([]);
  });

  it('refuses a tag or sequence that would not read back as a queued message', async () => {
    const box = outbox();
    await expect(box.enqueue(1, 'c-1', { n: 1 })).rejects.toThrow(/tag "c-1" does not match/);
    await expect(box.enqueue(1, '../a-1', { n: 1 })).rejects.toThrow(/does not match/);
    await expect(box.enqueue(-1, 'a-1', { n: 1 })).rejects.toThrow(/sequence must be a whole number/);
    await expect(box.enqueue(1.5, 'a-1', { n: 1 })).rejects.toThrow(/sequence/);
    expect(await box.pending()).toEqual([]);
  });
});
