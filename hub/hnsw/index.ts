// Public entry point of hub/hnsw: the index, its search, its file format.

export { buildHnsw, HnswIndex } from './hnsw-index.ts';
export { HnswParamError, HnswRangeError, IndexFormatError } from './errors.ts';
export { NO_NODE, MAX_LEVEL, type LayerAdjacency, LayeredGraph } from './layers.ts';
export { ROUTING_ENTRY_BYTES, ROUTING_TABLE_BYTES, type LayerATier } from './layer-a.ts';
export type { Metric } from './metric.ts';
export type { HnswParams, ResolvedParams } from './params.ts';
export { HnswSearcher, type HnswCore, type InstrumentedSearchResult, type SearchResult, type SearchStats } from './search.ts';
export { deserializeIndex, loadIndexFile, saveIndexFile, serializeIndex, vectorsFingerprint, INDEX_MAGIC, INDEX_VERSION, HEADER, type LoadOptions } from './serialize.ts';
