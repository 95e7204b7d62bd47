/**
 * Tables of the control database as Kysely sees them (camelCase here, snake_case in SQL through
 * CamelCasePlugin). Conventions, the same on SQL Server, PostgreSQL and SQLite:
 * - timestamps are ISO 8601 UTC strings of fixed width (`2026-11-25T20:00:00.000Z`), so text
 *   order is time order and no driver converts time zones behind our back;
 * - ids are lower-case UUID strings (varchar(36), never uniqueidentifier, whose values tedious
 *   returns upper-case);
 * - booleans are integers 0/1; JSON is text;
 * - name-addressed objects use their name as key (names never change), targets, executions
 *   and tasks a UUID.
 */
import type { Generated } from 'kysely';

export interface CredentialTable {
  name: string;
  username: string;
  authentication: string;
  /** Ciphertext (local key) or a Key Vault reference; never plain text. Null for managed identity. */
  passwordSecret: string | null;
  /** JSON array of server patterns. */
  allowedServers: string;
  createdAt: string;
  updatedAt: string;
}

export interface ContentTable {
  name: string;
  type: string;
  latestVersion: number;
  createdAt: string;
}

export interface ContentVersionTable {
  contentName: string;
  version: number;
  commandText: string | null;
  /** Without its query: what may be shown. */
  dacpacUri: string | null;
  /** The URI's query (a SAS token), protected (migration 0008). */
  dacpacQuerySecret: string | null;
  comment: string | null;
  createdAt: string;
}

export interface TargetTable {
  id: string;
  type: string;
  engine: string | null;
  serverName: string | null;
  databaseName: string | null;
  elasticPoolName: string | null;
  shardMapName: string | null;
  credentialName: string | null;
  name: string | null;
  /** Normalised identity (type, engine, server, database...): the same target cannot exist twice. */
  identityKey: string;
  createdAt: string;
}

export interface TargetMemberTable {
  collectionId: string;
  memberId: string;
  membership: string;
  createdAt: string;
}

export interface ExecutionPolicyTable {
  name: string;
  jobTimeout: string;
  initialRetryInterval: string;
  maximumRetryInterval: string;
  retryIntervalBackoffCoefficient: number;
  maximumAttempts: number;
  taskTimeout: string | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * A job. Its content columns (content, credential, target, policy, parallelism, destination,
 * capture) mirror its step 1 (job_steps), written in the same transaction as the steps; null
 * (capture 0) while it has no steps (migration 0012).
 */
export interface JobTable {
  name: string;
  contentName: string | null;
  /** Null: the latest version at each start. */
  contentVersion: number | null;
  credentialName: string | null;
  targetId: string | null;
  executionPolicyName: string | null;
  maxParallelism: number | null;
  /** JSON of ResultSetDestination, or null. */
  resultSetDestination: string | null;
  overlap: string;
  captureOutput: number;
  markedForDeletionAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** Migration 0010: 1 or 0; the scheduler fires no trigger of a disabled job. */
  enabled: number;
  /** When the job was last enabled again (null: since creation): no fire time before it runs. */
  enabledAt: string | null;
  notifyUrl: string | null;
  /** JSON array of the lifecycles that are notified. */
  notifyOn: string | null;
  /** When the webhook was last set or changed. */
  notifySince: string | null;
  /** Migration 0011, the safety rails: JSON of Canary and FailureThreshold, and the cap per server. */
  canary?: string | null;
  failureThreshold?: string | null;
  maxParallelismPerServer?: number | null;
}

/** A step of a job (migration 0012): run in `stepIndex` order (1-based, unique per job). */
export interface JobStepTable {
  jobName: string;
  stepName: string;
  stepIndex: number;
  contentName: string;
  /** Null: the latest version at each start. */
  contentVersion: number | null;
  credentialName: string;
  targetId: string;
  executionPolicyName: string;
  /** Null: the configured default at each start. */
  maxParallelism: number | null;
  /** JSON of ResultSetDestination, or null. */
  resultSetDestination: string | null;
  captureOutput: number;
  /** `stopJob` or `continue`: whether later steps run after a child of this one failed or timed out. */
  onFailure: string;
  createdAt: string;
  updatedAt: string;
}

/** What a parent execution snapshots of each step of its job at start (migration 0012). */
export interface JobExecutionStepTable {
  executionId: string;
  stepIndex: number;
  stepName: string;
  contentName: string;
  /** Resolved at start: the step's fixed version or the latest then. */
  contentVersion: number;
  credentialName: string;
  targetId: string;
  /** JSON snapshot of the execution policy at start. */
  executionPolicy: string;
  /** Resolved at start: the step's or the configured default. */
  maxParallelism: number;
  resultSetDestination: string | null;
  captureOutput: number;
  onFailure: string;
}

export interface ScheduleTable {
  name: string;
  oneTime: number;
  intervalUnit: string | null;
  intervalCount: number | null;
  cron: string | null;
  timeZone: string | null;
  startTime: string;
  endTime: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface TriggerTable {
  jobName: string;
  scheduleName: string;
  createdAt: string;
}

/** One row per claimed fire time: the unique key is what makes a fire start exactly once. */
export interface TriggerFireTable {
  jobName: string;
  scheduleName: string;
  fireTime: string;
  executionId: string | null;
  createdAt: string;
  /** Migration 0004: claimed | queued | started | skipped | failed (see triggerFireStore). */
  status: string;
  /** Why a fire was skipped, queued or failed to start. */
  message: string | null;
}

export interface JobExecutionTable {
  id: string;
  jobName: string;
  /** Null for the parent (top-level) execution. */
  parentId: string | null;
  lifecycle: string;
  /** The job's target (parent) at start. */
  targetId: string | null;
  /** The database of a child execution. */
  targetEngine: string | null;
  targetServer: string | null;
  targetDatabase: string | null;
  contentName: string;
  contentVersion: number;
  credentialName: string;
  /** JSON snapshot of the execution policy at start. */
  executionPolicy: string;
  maxParallelism: number | null;
  resultSetDestination: string | null;
  captureOutput: number;
  scheduleName: string | null;
  createdAt: string;
  startTime: string | null;
  endTime: string | null;
  lastMessage: string | null;
  cancelRequested: number;
  updatedAt: string;
  /** A child's database was `named` or `enumerated` at expansion (migration 0007); null on parents. */
  foundBy?: string | null;
  /** Migration 0009, the work queue (docs/engine.md): queued and ready from this time; null while claimed or ended. */
  notBefore?: string | null;
  /** The lane of the parent that claimed the child last. */
  lane?: number | null;
  /** The attempt in flight: its task execution id (written when it ends), number, start, and the credential version it was claimed with. */
  runningTaskId?: string | null;
  runningAttempt?: number | null;
  runningStartTime?: string | null;
  runningCredentialVersion?: string | null;
  /** On a parent: how many lane orchestrations run its children. */
  lanes?: number | null;
  /** Migration 0011, on a parent: JSON of the job's SafetyRails at start; the execution it re-runs and which of its databases (JSON lifecycles). */
  safetyRails?: string | null;
  rerunOf?: string | null;
  rerunLifecycles?: string | null;
  /** On a child: 0 the canary, 1 the others (null before migration 0011); its server's normalized address. */
  wave?: number | null;
  serverKey?: string | null;
  /** Migration 0012, on a child: the step of its parent it runs (1-based) and that step's name; null on parents. */
  stepIndex?: number | null;
  stepName?: string | null;
}

export interface TaskExecutionTable {
  id: string;
  jobExecutionId: string;
  attempt: number;
  lifecycle: string;
  message: string | null;
  /** JSON of captured result sets and informational messages (capped), when the job asks. */
  output: string | null;
  startTime: string | null;
  endTime: string | null;
  /** What the attempt returned (Skipped when the database was gone), for a re-run of a finished attempt. */
  outcome: string | null;
  /** 1 when a retry can help, 0 when not; null while the attempt runs. */
  retryable: number | null;
}

/** The notification outbox (migration 0010): one row per ended parent execution and channel. */
export interface ExecutionNotificationTable {
  executionId: string;
  /** `webhook` or `telemetry`. */
  channel: string;
  jobName: string;
  /** The webhook URL at the time the execution ended; null for telemetry. */
  url: string | null;
  /** The exact bytes to send (webhook) or the event to emit (telemetry), as JSON text. */
  body: string;
  /** pending | delivered | failed */
  status: string;
  attempts: number;
  nextAttemptAt: string;
  /** No attempt starts after this (an hour after the execution ended). */
  giveUpAt: string;
  /** A sender holds the row until then (its lease). */
  claimedUntil: string | null;
  claimToken: string | null;
  /** Why the latest attempt failed, in the product's own words (never a secret, never the URL). */
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
}

export interface ControlSchema {
  credentials: CredentialTable;
  contents: ContentTable;
  contentVersions: ContentVersionTable;
  targets: TargetTable;
  targetMembers: TargetMemberTable;
  executionPolicies: ExecutionPolicyTable;
  jobs: JobTable;
  jobSteps: JobStepTable;
  jobExecutionSteps: JobExecutionStepTable;
  schedules: ScheduleTable;
  triggers: TriggerTable;
  triggerFires: TriggerFireTable;
  jobExecutions: JobExecutionTable;
  taskExecutions: TaskExecutionTable;
  executionNotifications: ExecutionNotificationTable;
}

// Kept for stores that insert rows with database-generated values in later migrations.
export type { Generated };
