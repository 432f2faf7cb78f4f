/**
 * What the Deno and Node WebGPU suites share around the cases: whether an adapter is required
 * (CI sets LONGTAIL_REQUIRE_WEBGPU=1, so a missing adapter fails there instead of skipping) and
 * the loud message for a run without one.
 */
import { REQUIRE_WEBGPU_ENV } from "./webgpu-cases.js";

export function webgpuRequired(value: string | undefined): boolean {
  const v = (value ?? "").trim().toLowerCase();
  if (["", "0", "false", "no", "off"].includes(v)) return false;
  if (["1", "true", "yes", "on"].includes(v)) return true;
  throw new Error(`${REQUIRE_WEBGPU_ENV} must be 0 or 1, got "${value}"`);
}

export function missingAdapterMessage(runtime: string, why: string): string {
  return (
    `WebGPU on ${runtime}: ${why}. The packages and environment it needs are listed in .ci/webgpu-packages; ` +
    `with ${REQUIRE_WEBGPU_ENV}=1 this is a failure, without it the WebGPU cases are SKIPPED.`
  );
}
