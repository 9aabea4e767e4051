/*
 * What the local network's services and its workerpool share for the life of the network: the tasks
 * as the workerpool's core knows them, the stored results, the SMS's secrets.
 */

/** A replicate status update, as the workerpool API shows it (iexec-task-api ReplicateStatusUpdateModel). */
export interface ReplicateUpdate {
  /** iexec-common ReplicateStatus. */
  status: string;
  date: string;
  /** iexec-common ReplicateStatusCause. */
  cause?: string;
}

/** The one replicate of the local worker (iexec-core Replicate). */
export interface ReplicateRecord {
  walletAddress: string;
  statusUpdateList: ReplicateUpdate[];
  /** Set by the COMPUTED update, as iexec-core reads it from that update's details. */
  appExitCode?: number;
  resultLink?: string;
  chainCallbackData?: string;
  /** Kept from COMPUTED on, tailed as core keeps them (iexec-common ComputeLogs.MAX_LOG_LENGTH). */
  logs?: { stdout: string; stderr: string };
}

/** A task as the workerpool's core records it (iexec-core Task, TaskStatusChange). */
export interface TaskRecord {
  taskid: string;
  dealid: string;
  taskIndex: number;
  requester: string;
  /** Whether the deal's tag asks for a TEE (iexec-commons-poco TeeUtils). */
  tee: boolean;
  tag: string;
  trust: number;
  /** The app's multiaddr and the deal's iexec_args, as core names them (dappName, commandLine). */
  dappName: string;
  commandLine: string | null;
  initializationBlockNumber?: number;
  /** Set once a contribution reached consensus (PoCo task.consensusValue, revealDeadline). */
  consensus?: string;
  revealDeadline?: number;
  /** Seconds (the category's workClockTimeRef). */
  maxExecutionTime: number;
  /** Chain time, seconds: deal start + 7, and + 10, times the category's time (PoCo IexecPoco2Facet.initialize). */
  contributionDeadline: number;
  finalDeadline: number;
  /** The statuses core went through on its own steps; time-driven ones are derived when shown. */
  dateStatusList: Array<{ status: string; date: string }>;
  replicate?: ReplicateRecord;
  resultLink?: string;
  chainCallbackData?: string;
}

export interface Secrets {
  /** owner|name → value (storage tokens, result encryption keys). */
  web2: Map<string, string>;
  /** dataset → its key. */
  web3: Map<string, string>;
  /** app → the app developer secret. */
  app: Map<string, string>;
  /** requester|name → value. */
  requester: Map<string, string>;
}

export interface NetworkState {
  tasks: Map<string, TaskRecord>;
  /** CID → stored bytes (result zips). */
  results: Map<string, Buffer>;
  secrets: Secrets;
}

export function newState(): NetworkState {
  return { tasks: new Map(), results: new Map(), secrets: { web2: new Map(), web3: new Map(), app: new Map(), requester: new Map() } };
}

/** The SMS web2 secret names the platform reads (iexec-sms, iexec-common SecretUtils). */
export const WEB2_SECRET = {
  resultEncryptionKey: 'iexec-result-encryption-public-key',
  ipfsToken: 'iexec-result-iexec-ipfs-token',
  dropboxToken: 'iexec-result-dropbox-token',
} as const;

export const web2Key = (owner: string, name: string) => `${owner.toLowerCase()}|${name}`;
export const requesterKey = (requester: string, name: string) => `${requester.toLowerCase()}|${name}`;
