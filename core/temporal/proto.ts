import proto from '@temporalio/proto';

// @temporalio/proto is CommonJS whose exports Node's ESM loader cannot see: a named import throws
// at load time under node and tsx, while vitest's module interop lets it pass. So every runtime
// use goes through the default export, here.

/** Temporal's service API (enums, messages), usable as a value and as a type namespace. */
export import temporalApi = proto.temporal.api;

/** A workflow history as binary protobuf, the form the replay test reads back. */
export function encodeHistory(history: temporalApi.history.v1.IHistory): Uint8Array {
  return temporalApi.history.v1.History.encode(history).finish();
}

/** A workflow history from the bytes `encodeHistory` wrote. */
export function decodeHistory(bytes: Uint8Array): temporalApi.history.v1.History {
  return temporalApi.history.v1.History.decode(bytes);
}
