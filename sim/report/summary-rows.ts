// The summary's figures as labelled rows: what the report's figure table shows. Each row
// keeps the raw value beside its text, so a test can hold the page to the summary.
import type { RunSummary } from '../run/report.ts';
import { fmt } from './svg.ts';

export interface SummaryRow {
  /** Path into RunSummary, dot-separated (`hub.retries`). */
  key: string;
  label: string;
  value: number;
  text: string;
}

export function summaryRows(s: RunSummary): SummaryRow[] {
  const pct = (x: number) => `${fmt(x * 100, 1)}%`;
  const rows: SummaryRow[] = [
    { key: 'recallAtK', label: `recall@${s.k} (exact search, the values the tiles hold)`, value: s.recallAtK, text: s.recallAtK.toFixed(4) },
    { key: 'recallAtKFloat', label: `recall@${s.k} (exact search, original float data)`, value: s.recallAtKFloat, text: s.recallAtKFloat.toFixed(4) },
    ...(s.groundTruthFile ? [{ key: 'groundTruthFile.recallAtK', label: `recall@${s.k} against ${s.groundTruthFile.path}`, value: s.groundTruthFile.recallAtK, text: s.groundTruthFile.recallAtK.toFixed(4) }] : []),
    { key: 'exactMatches', label: `exact top-${s.k} (of ${s.queries} queries)`, value: s.exactMatches, text: fmt(s.exactMatches) },
    { key: 'simulatedSeconds', label: 'simulated time (ms)', value: s.simulatedSeconds, text: fmt(s.simulatedSeconds * 1e3, 3) },
    { key: 'simulatedQps', label: 'QPS (simulated)', value: s.simulatedQps, text: fmt(s.simulatedQps, 1) },
    { key: 'latencyUsP50', label: 'latency p50 (us)', value: s.latencyUsP50, text: fmt(s.latencyUsP50, 1) },
    { key: 'latencyUsP99', label: 'latency p99 (us)', value: s.latencyUsP99, text: fmt(s.latencyUsP99, 1) },
    { key: 'messagesToTiles', label: 'messages hub -> tiles', value: s.messagesToTiles, text: fmt(s.messagesToTiles) },
    { key: 'bytesToTiles', label: 'bytes hub -> tiles', value: s.bytesToTiles, text: fmt(s.bytesToTiles) },
    { key: 'messagesToHub', label: 'messages tiles -> hub', value: s.messagesToHub, text: fmt(s.messagesToHub) },
    { key: 'bytesToHub', label: 'bytes tiles -> hub', value: s.bytesToHub, text: fmt(s.bytesToHub) },
    { key: 'bytesPerQuery', label: 'bytes per query', value: s.bytesPerQuery, text: fmt(s.bytesPerQuery) },
    { key: 'tileUtilization.mean', label: 'tile busy, mean', value: s.tileUtilization.mean, text: pct(s.tileUtilization.mean) },
    { key: 'tileUtilization.min', label: 'tile busy, min', value: s.tileUtilization.min, text: pct(s.tileUtilization.min) },
    { key: 'tileUtilization.max', label: 'tile busy, max', value: s.tileUtilization.max, text: pct(s.tileUtilization.max) },
    { key: 'hub.retries', label: 'retries', value: s.hub.retries, text: fmt(s.hub.retries) },
    { key: 'hub.restarts', label: 'restarts', value: s.hub.restarts, text: fmt(s.hub.restarts) },
    { key: 'hub.retirements', label: 'retirements', value: s.hub.retirements, text: fmt(s.hub.retirements) },
    { key: 'hub.reassignedUnits', label: 'units reassigned', value: s.hub.reassignedUnits, text: fmt(s.hub.reassignedUnits) },
    { key: 'hub.hubLocalUnits', label: 'units computed by the hub', value: s.hub.hubLocalUnits, text: fmt(s.hub.hubLocalUnits) },
    { key: 'events', label: 'simulator events', value: s.events, text: fmt(s.events) },
  ];
  if (s.pull) {
    rows.push(
      { key: 'pull.hopsPerQuery', label: 'pull: hops per query', value: s.pull.hopsPerQuery, text: fmt(s.pull.hopsPerQuery, 1) },
      { key: 'pull.vectorsPerQuery', label: 'pull: vectors sent per query', value: s.pull.vectorsPerQuery, text: fmt(s.pull.vectorsPerQuery, 1) },
      { key: 'pull.pushBytesPerQuery', label: 'push bytes per query, same data', value: s.pull.pushBytesPerQuery, text: fmt(s.pull.pushBytesPerQuery) },
    );
  }
  if (s.pushHnsw) {
    rows.push(
      { key: 'pushHnsw.distancesPerQuery', label: 'push-hnsw: distances per query', value: s.pushHnsw.distancesPerQuery, text: fmt(s.pushHnsw.distancesPerQuery, 1) },
      { key: 'pushHnsw.referenceEqual', label: 'push-hnsw: queries equal to the reference search', value: s.pushHnsw.referenceEqual, text: fmt(s.pushHnsw.referenceEqual) },
      { key: 'pushHnsw.pushBytesPerQuery', label: 'push bytes per query, same data', value: s.pushHnsw.pushBytesPerQuery, text: fmt(s.pushHnsw.pushBytesPerQuery) },
    );
  }
  return rows;
}
