import { planIdentityKeys, type IdentityRow } from '../../../src/control/migrations/0005_server_identity';

const row = (id: string, identityKey: string, newKey: string | null, createdAt = `2026-01-0${id.length}T00:00:00.000Z`): IdentityRow => ({ id, identityKey, newKey, createdAt });

describe('planIdentityKeys (migration 0005)', () => {
  it('moves a key that changed and leaves the rest', () => {
    expect(planIdentityKeys([row('a', 'k1', 'k1'), row('b', 'old', 'new')])).toEqual({ updates: [{ id: 'b', identityKey: 'new' }], duplicates: [], unparsable: [] });
  });

  it('keeps both rows when two now name one thing: the holder of the key keeps it, the other its old key, reported by id', () => {
    const plan = planIdentityKeys([row('b', 'tcp-key', 'k', '2026-01-01T00:00:00.000Z'), row('a', 'k', 'k', '2026-02-01T00:00:00.000Z')]);
    expect(plan.updates).toEqual([]);
    expect(plan.duplicates).toEqual([{ id: 'b', sameAs: 'a' }]);
  });

  it('gives the key to the oldest row when neither holds it', () => {
    const plan = planIdentityKeys([row('young', 'x1', 'k', '2026-03-01T00:00:00.000Z'), row('old', 'x2', 'k', '2026-01-01T00:00:00.000Z')]);
    expect(plan.updates).toEqual([{ id: 'old', identityKey: 'k' }]);
    expect(plan.duplicates).toEqual([{ id: 'young', sameAs: 'old' }]);
  });

  it('ends with unique keys when a loser falls back onto a key another row wanted', () => {
    // a loses 'y' to b and falls back to 'x', which c wanted: c falls back to its own old key.
    const rows = [row('a', 'x', 'y', '2026-02-01T00:00:00.000Z'), row('b', 'y', 'y', '2026-01-01T00:00:00.000Z'), row('c', 'z', 'x', '2026-03-01T00:00:00.000Z')];
    const plan = planIdentityKeys(rows);
    const final = new Map(rows.map((r) => [r.id, plan.updates.find((u) => u.id === r.id)?.identityKey ?? r.identityKey]));
    expect(new Set(final.values()).size).toBe(3);
    expect(plan.duplicates.map((d) => d.id).sort()).toEqual(['a', 'c']);
  });

  it('reports a row whose server name is refused and keeps its key', () => {
    expect(planIdentityKeys([row('sock', 'database|postgres|/tmp/x:5432|d||', null)])).toEqual({ updates: [], duplicates: [], unparsable: ['sock'] });
  });
});
