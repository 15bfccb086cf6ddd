/**
 * GET /health. The overall status is what a load balancer's check looks at:
 *   "ok"        (200) no model has failed to load (idle and loading models count as fine: a lazy
 *               server loads on first use, and a request to a loading model gets 503 itself);
 *   "degraded"  (200) some models failed to load, others can still be served;
 *   "error"     (503) every model failed to load: the server can answer no inference request.
 */
import type { ModelHealth } from "./registry.js";

export type HealthStatus = "ok" | "degraded" | "error";

export function healthStatus(models: readonly ModelHealth[]): HealthStatus {
  const failed = models.filter((m) => m.state === "error").length;
  if (failed === 0) return "ok";
  return failed === models.length ? "error" : "degraded";
}

export function healthStatusCode(status: HealthStatus): number {
  return status === "error" ? 503 : 200;
}
