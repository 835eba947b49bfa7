import { describe, expect, it } from 'vitest';
import { LIST_THRESHOLD, existsByProbeOrListing, oidOfKey } from '../../../src/remote/stores/probe.js';

const oid = (i: number) => i.toString(16).padStart(32, '0');

/** A remote holding `held` objects; records every request the probe logic makes. */
function remote(held: string[]) {
  const calls: string[] = [];
  return {
    calls,
    probe: async (o: string) => {
      calls.push(`head ${o}`);
      return held.includes(o);
    },
    list: async (sub: string, limit?: number) => {
      calls.push(`list ${sub || '(all)'}${limit === undefined ? '' : ` <=${limit}`}`);
      const under = held.filter((o) => o.startsWith(sub.replace('/', '')));
      return limit !== undefined && under.length > limit ? undefined : under;
    },
  };
}

describe('existence checks on bucket stores', () => {
  it('probes a few oids one by one', async () => {
    const r = remote([oid(1)]);
    expect([...(await existsByProbeOrListing([oid(1), oid(2)], 4, r.probe, r.list))]).toEqual([oid(1)]);
    expect(r.calls.sort()).toEqual([`head ${oid(1)}`, `head ${oid(2)}`]);
  });

  it('lists a small remote whole, in one go', async () => {
    const asked = Array.from({ length: LIST_THRESHOLD }, (_, i) => oid(i));
    const r = remote(asked.slice(0, 10));
    expect((await existsByProbeOrListing(asked, 4, r.probe, r.list)).size).toBe(10);
    expect(r.calls).toEqual([`list (all) <=${2 * LIST_THRESHOLD}`]);
  });

  it('lists only the prefixes asked about when the remote holds many more objects', async () => {
    const held = Array.from({ length: 4 * LIST_THRESHOLD }, (_, i) => oid(i * 4096));
    const asked = held.slice(0, LIST_THRESHOLD);
    const r = remote(held);
    expect((await existsByProbeOrListing(asked, 4, r.probe, r.list)).size).toBe(LIST_THRESHOLD);
    expect(r.calls[0]).toBe(`list (all) <=${2 * LIST_THRESHOLD}`);
    expect(r.calls.slice(1).sort()).toEqual([...new Set(asked.map((o) => `list ${o.slice(0, 2)}/`))].sort());
  });

  it('reads the oid from an object key, and nothing from other keys', () => {
    expect(oidOfKey(`p/files/md5/ab/${'c'.repeat(30)}`)).toBe(`ab${'c'.repeat(30)}`);
    expect(oidOfKey(`p/files/md5/ab/${'c'.repeat(30)}.dir`)).toBe(`ab${'c'.repeat(30)}.dir`);
    expect(oidOfKey(`p/files/md5/ab/${'c'.repeat(30)}.tmp`)).toBeUndefined();
  });
});
