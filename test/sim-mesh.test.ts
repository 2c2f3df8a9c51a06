import { describe, it, expect } from 'vitest';
import { Mesh, MeshConfigError, MAX_MESH_SIDE, DEFAULT_HOP_LATENCY_CYCLES, DEFAULT_LINK_BYTES_PER_CYCLE } from '../sim/mesh.ts';

describe('Mesh layout and validation', () => {
  it('numbers tiles row-major', () => {
    const mesh = new Mesh({ rows: 3, cols: 4 });
    expect(mesh.tiles).toBe(12);
    expect([mesh.rowOf(0), mesh.colOf(0)]).toEqual([0, 0]);
    expect([mesh.rowOf(5), mesh.colOf(5)]).toEqual([1, 1]);
    expect([mesh.rowOf(11), mesh.colOf(11)]).toEqual([2, 3]);
  });

  it('attaches the hub at the west edge, middle row, by default', () => {
    expect(new Mesh({ rows: 4, cols: 4 })).toMatchObject({ hubRow: 1, hubCol: 0 });
    expect(new Mesh({ rows: 5, cols: 4 })).toMatchObject({ hubRow: 2, hubCol: 0 });
    expect(new Mesh({ rows: 1, cols: 1 })).toMatchObject({ hubRow: 0, hubCol: 0 });
  });

  it('accepts as many tiles as positions and rejects one more, naming mesh, limit and value', () => {
    expect(new Mesh({ rows: 4, cols: 4, tiles: 16 }).tiles).toBe(16);
    expect(() => new Mesh({ rows: 4, cols: 4, tiles: 17 })).toThrow('mesh 4x4 has 16 tiles, --tiles asks for 17');
    expect(() => new Mesh({ rows: 4, cols: 4, tiles: 64 })).toThrow('mesh 4x4 has 16 tiles, --tiles asks for 64');
  });

  it('accepts one tile and rejects zero, negative or fractional sizes', () => {
    expect(new Mesh({ rows: 1, cols: 1, tiles: 1 }).tiles).toBe(1);
    expect(() => new Mesh({ rows: 4, cols: 4, tiles: 0 })).toThrow('--tiles must be a positive integer, got 0');
    expect(() => new Mesh({ rows: 0, cols: 4 })).toThrow('mesh rows must be a positive integer, got 0');
    expect(() => new Mesh({ rows: 2, cols: -1 })).toThrow('mesh cols must be a positive integer, got -1');
    expect(() => new Mesh({ rows: 2.5, cols: 2 })).toThrow(MeshConfigError);
  });

  it('accepts a side of MAX_MESH_SIDE and rejects one past it', () => {
    expect(new Mesh({ rows: MAX_MESH_SIDE, cols: 1 }).tiles).toBe(MAX_MESH_SIDE);
    expect(() => new Mesh({ rows: MAX_MESH_SIDE + 1, cols: 1 })).toThrow(`mesh rows ${MAX_MESH_SIDE + 1} exceeds the limit ${MAX_MESH_SIDE}`);
  });

  it('accepts a hub router inside the mesh and rejects one outside it', () => {
    expect(new Mesh({ rows: 4, cols: 4, hubRouter: { row: 3, col: 3 } }).hopsFromHub(15)).toBe(1);
    expect(() => new Mesh({ rows: 4, cols: 4, hubRouter: { row: 4, col: 0 } })).toThrow('hub router (4, 0) is outside mesh 4x4 (rows 0..3, cols 0..3)');
  });

  it('rejects a tile id outside the populated tiles', () => {
    const mesh = new Mesh({ rows: 4, cols: 4, tiles: 10 });
    expect(mesh.hopsFromHub(9)).toBeGreaterThan(0);
    expect(() => mesh.hopsFromHub(10)).toThrow('tile 10 is outside 0..9');
    expect(() => mesh.hopsFromHub(-1)).toThrow(MeshConfigError);
  });

  it('checks the tile and the size on the per-message arrival paths as everywhere else', () => {
    const mesh = new Mesh({ rows: 4, cols: 4, tiles: 10 });
    for (const arrival of [mesh.arrivalFromHub.bind(mesh), mesh.arrivalAtHub.bind(mesh)]) {
      for (const tile of [10, -1, 1.5, Number.NaN]) expect(() => arrival(0, tile, 64)).toThrow(`tile ${tile} is outside 0..9`);
      for (const bytes of [-1, 2.5, Number.NaN]) expect(() => arrival(0, 3, bytes)).toThrow(`message size must be an integer >= 0 bytes, got ${bytes}`);
      // Sizes past a u32 take the slow check, and pass it as before.
      expect(arrival(0, 3, 2 ** 32 + 16)).toBeGreaterThan(2 ** 28);
    }
  });

  it('rejects non-positive bandwidth and negative hop latency', () => {
    expect(() => new Mesh({ rows: 2, cols: 2, linkBytesPerCycle: 0 })).toThrow('link bandwidth (bytes/cycle) must be a positive integer, got 0');
    expect(() => new Mesh({ rows: 2, cols: 2, hubLinkBytesPerCycle: -4 })).toThrow(/hub link bandwidth/);
    expect(new Mesh({ rows: 2, cols: 2, hopLatencyCycles: 0 }).hopLatencyCycles).toBe(0);
    expect(() => new Mesh({ rows: 2, cols: 2, hopLatencyCycles: -1 })).toThrow(/hop latency/);
  });
});

describe('Mesh routing and timing', () => {
  // 4x4, hub at router (1, 0): hops = 1 + |row - 1| + col.
  const expectedHops = [2, 3, 4, 5, 1, 2, 3, 4, 2, 3, 4, 5, 3, 4, 5, 6];

  it('counts XY hops from the hub as the hub link plus Manhattan distance', () => {
    const mesh = new Mesh({ rows: 4, cols: 4 });
    expect(Array.from({ length: 16 }, (_, id) => mesh.hopsFromHub(id))).toEqual(expectedHops);
  });

  it('computes arrival as hops * hop latency + ceil(bytes / bandwidth)', () => {
    const mesh = new Mesh({ rows: 4, cols: 4, hopLatencyCycles: 3, linkBytesPerCycle: 16 });
    expect(mesh.arrivalCycles(15, 0)).toBe(6 * 3);
    expect(mesh.arrivalCycles(15, 16)).toBe(6 * 3 + 1);
    expect(mesh.arrivalCycles(15, 17)).toBe(6 * 3 + 2);
    expect(mesh.arrivalCycles(4, 776)).toBe(1 * 3 + 49); // a 768 B fp16 query + 8 B header
  });

  it('uses documented defaults for hop latency and bandwidth', () => {
    const mesh = new Mesh({ rows: 2, cols: 2 });
    expect(mesh.arrivalCycles(0, 160)).toBe(1 * DEFAULT_HOP_LATENCY_CYCLES + 160 / DEFAULT_LINK_BYTES_PER_CYCLE);
  });

  it('serializes at the narrowest of the hub link and the mesh links', () => {
    const mesh = new Mesh({ rows: 2, cols: 2, hopLatencyCycles: 1, linkBytesPerCycle: 16, hubLinkBytesPerCycle: 4 });
    expect(mesh.arrivalCycles(0, 16)).toBe(1 + 4);
  });

  it('makes back-to-back hub sends wait for the injection link', () => {
    const mesh = new Mesh({ rows: 4, cols: 4, hopLatencyCycles: 2, linkBytesPerCycle: 8 });
    expect(mesh.reserveHubLink(0, 80)).toBe(10);
    expect(mesh.reserveHubLink(0, 80)).toBe(20); // queued behind the first
    expect(mesh.reserveHubLink(100, 8)).toBe(101); // link idle again by then
    expect(mesh.hubLinkBusyCycles().egress).toBe(21);
  });

  it('delivers hub sends at link start + uncontended arrival time', () => {
    const mesh = new Mesh({ rows: 4, cols: 4, hopLatencyCycles: 2, linkBytesPerCycle: 8 });
    expect(mesh.sendFromHub(0, 15, 80)).toEqual({ departCycle: 10, arrivalCycle: 6 * 2 + 10 });
    expect(mesh.sendFromHub(0, 4, 80)).toEqual({ departCycle: 20, arrivalCycle: 10 + 1 * 2 + 10 });
  });

  it('makes replies converging on the hub queue on its ejection link', () => {
    const mesh = new Mesh({ rows: 4, cols: 4, hopLatencyCycles: 2, linkBytesPerCycle: 8 });
    const first = mesh.sendToHub(0, 4, 80); // head at hub after 2, done at 12
    const second = mesh.sendToHub(0, 0, 80); // head at hub after 4, link busy until 12
    expect(first.arrivalCycle).toBe(12);
    expect(second.arrivalCycle).toBe(22);
    expect(mesh.hubLinkBusyCycles().ingress).toBe(20);
  });

  it('orders reassignment candidates by mesh hops, ties by lower id', () => {
    const mesh = new Mesh({ rows: 3, cols: 3 });
    // Tile 4 is the centre: 1, 3, 5, 7 are one hop away, corners two.
    expect(mesh.nearestTiles(4)).toEqual([1, 3, 5, 7, 0, 2, 6, 8]);
    expect(mesh.nearestTiles(0)).toEqual([1, 3, 2, 4, 6, 5, 7, 8]);
    expect(mesh.nearestTiles(0)).toBe(mesh.nearestTiles(0)); // cached
  });

  it('gives exactly the sort by (hops, id) on square, wide, tall and partly populated meshes', () => {
    for (const [rows, cols, tiles] of [[1, 1, 1], [1, 7, 7], [6, 1, 6], [5, 4, 20], [4, 9, 31], [17, 13, 200], [64, 64, 4096]] as const) {
      const mesh = new Mesh({ rows, cols, tiles });
      const hops = (a: number, b: number): number => mesh.hopsBetween(a, b);
      const step = Math.max(1, Math.floor(tiles / 40));
      for (let t = 0; t < tiles; t += step) {
        const sorted = Array.from({ length: tiles }, (_, i) => i).filter((i) => i !== t).sort((a, b) => hops(t, a) - hops(t, b) || a - b);
        expect(mesh.nearestTiles(t)).toEqual(sorted);
      }
    }
  });

  it('only offers populated tiles for reassignment', () => {
    const mesh = new Mesh({ rows: 2, cols: 3, tiles: 4 });
    expect(mesh.nearestTiles(3)).toEqual([0, 1, 2]);
  });
});
