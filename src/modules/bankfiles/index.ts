/** Bank debit files (代扣回盘): the module's public surface. */
export { bankFilesRoutes } from './bankfiles.routes.js';
export { registerBankFileCommands } from './bankfiles.commands.js';
export {
  checkImport,
  readFacts,
  replay,
  stageFile,
  createBatch,
  finishImport,
  DEFAULT_STEP_SIZE,
  DEFAULT_LANES,
  type BankFileFlows,
  type BankFileInput,
  type FileFacts,
  type ImportDeps,
  type ImportOptions,
  type ImportProgress,
  type ImportResult,
} from './use-cases/import-bank-file.js';
export { stepPayments, stepResults, type BankPayment, type PostOutcome } from './use-cases/post-steps.js';
export { advanceBatch, copyResultLines, dropStage, findBatchOfFile, planEachRun, prepareStage, stepLines, tryLockFile, unlockFile, type StepLine } from './bankfiles.repository.js';
export { getBankBatch, listBankBatches, resultFile, resultChunks, detailOf } from './use-cases/queries.js';
export type { BankBatch, BankBatchDetail, ImportOutcome, ImportResponse } from './bankfiles.types.js';
export { systemOperator, operatorOf, type BankFileOperator } from './use-cases/operator.js';
export { DEBIT_FILE_COLUMNS, bankChannelTxnId, checkLine, columnIndexOf, parseDebitDate } from './domain/debit-file.js';
export { REJECT_REASONS, type RejectReason } from './domain/reasons.js';
export { RESULT_COLUMNS } from './domain/result-file.js';
export type { BankBatchRow } from './bankfiles.repository.js';
