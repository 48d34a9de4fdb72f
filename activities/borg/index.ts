export {
  archiveInfo,
  createArchive,
  deleteArchive,
  deleteArchives,
  listArchives,
} from './archives';
export type { CreateArchiveRequest, ListArchivesRequest } from './archives';
export { diffArchives, exportTar, extractArchive, listArchiveItems } from './archive-contents';
export type {
  DiffArchivesRequest,
  ExportTarRequest,
  ExtractArchiveRequest,
  ListArchiveItemsRequest,
} from './archive-contents';
export { BorgError, classifyBorgFailure, isRetryableBorgError } from './errors';
export type { BorgErrorType } from './errors';
export { changePassphrase, exportKey, importKey } from './keys';
export type { KeyExportFormat } from './keys';
export { parseBorgLogLine } from './log-json-parser';
export type { BorgLogEvent } from './log-json-parser';
export { pruneArchives } from './prune';
export type { PruneArchivesRequest, RetentionPolicy } from './prune';
export {
  breakLock,
  checkRepository,
  compactRepository,
  initRepository,
  repositoryInfo,
} from './repository';
export type {
  CheckRepositoryRequest,
  CompactRepositoryRequest,
  InitRepositoryRequest,
} from './repository';
export {
  parseSshLocation,
  runRemoteScript,
  scanHostKeys,
  trustHostKeys,
  verifyHostKeys,
} from './ssh';
export type { HostKeyStatus, RemoteScriptResult, ScannedHostKey } from './ssh';
export { borgVersion } from './version';
export type * from './types';
