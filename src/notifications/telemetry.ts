/**
 * The one telemetry seam of the product: a custom event per ended execution (Azure only: the
 * Application Insights client in src/azure/applicationInsights.ts implements it; the local host
 * has none). Events go through the notification outbox like webhooks, so each ended execution
 * is emitted once when it ends, and retried if Application Insights could not take it.
 */

/** An Application Insights custom event: `customEvents` with `customDimensions` and `customMeasurements`. */
export interface TelemetryEvent {
  name: string;
  /** When it happened (ISO 8601 UTC). */
  time: string;
  properties: Record<string, string>;
  measurements: Record<string, number>;
}

export interface TelemetryClient {
  /** Sends one event; throws when it was not accepted (the outbox retries it). Errors name no secret. */
  trackEvent(event: TelemetryEvent): Promise<void>;
}

/** The name of the custom event of an ended parent execution (infra/modules/alerts.bicep queries it). */
export const JOB_EXECUTION_ENDED_EVENT = 'JobExecutionEnded';
