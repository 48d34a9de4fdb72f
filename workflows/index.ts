// The worker bundles this file into Temporal's deterministic sandbox: export workflows only.
export { probeWorker } from './probe-worker';
