/**
 * Server integration: the engine over HTTP (`createSyncHandler`, with an
 * optional review dashboard) and webhooks for applied and held syncs
 * (`webhookNotifier`).
 *
 * @module
 */
export { bearerAuth } from './auth.js';
export type { ChangelogResponse } from './changelog.js';
export { createSyncHandler, PROMETHEUS_CONTENT_TYPE } from './handler.js';
export { httpStatusForCode } from './http.js';
export {
  WEBHOOK_DELIVERY_HEADER,
  WEBHOOK_EVENT_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  signWebhookBody,
  verifyWebhookSignature,
  webhookNotifier,
} from './webhook.js';
export type {
  ErrorResponseBody,
  NextFunction,
  ServerErrorCode,
  SyncEventSource,
  SyncHandler,
  SyncHandlerDashboardOptions,
  SyncHandlerEngine,
  SyncHandlerOptions,
  WebhookFailure,
  WebhookNotifier,
  WebhookNotifierOptions,
  WebhookPayload,
  WebhookStats,
} from './types.js';
