export { meteringRoutes } from './metering.routes.js';
export { registerMeteringCommands } from './metering.commands.js';
export { withUsage, usageBetween } from './domain/usage.js';
export { latestDailyAdvance, streamLastCycleUsage, type LastCycleRow, type LastCycleScope } from './metering.repository.js';
export { parseReadsPayload } from './domain/reads-payload.js';
export type { IncomingRead } from './domain/read-rules.js';
export type { BatchResult } from './metering.types.js';
export { ingestReads, ingestReadsBulk, ingestReadsIn, CHUNK_READS, type IngestOptions, type ReadSource } from './use-cases/ingest-reads.js';
export { importReadsFile, type ReadsFileResult } from './use-cases/import-reads-file.js';
