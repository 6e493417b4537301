/**
 * The operator's view of the hub's platform outputs: `GET /outputs` and `POST /outputs/<id>/enable|disable` on
 * the hub the console is linked to (embedded or joined), authenticated with the room secret. Answers are parsed
 * where they arrive (outputStatusSchema); a hub that runs no outputs answers 404 and is shown as an empty list.
 */
import { z } from 'zod';
import { outputStatusSchema, type OutputStatus } from '../common/caption-outputs';
import { CONSOLE_ERROR_CODES, fail, ok, type ConsoleResult } from '../common/console-api-result';
import { ERROR_CODES } from '../common/protocol';

/** How long the console waits for the hub's answer. */
const OUTPUTS_TIMEOUT_MS = 4000;

const listSchema = z.object({ outputs: z.array(outputStatusSchema) });
const switchSchema = z.union([
  z.object({ ok: z.literal(true), value: outputStatusSchema }),
  z.object({ ok: z.literal(false), error: z.object({ code: z.string(), message: z.string() }) }),
]);

/** Where the outputs are: the hub's base URL and the room secret. */
export interface HubOutputsTarget {
  url: string;
  secret: string;
}

async function request(target: HubOutputsTarget, path: string, method: 'GET' | 'POST'): Promise<ConsoleResult<{ status: number; body: unknown }>> {
  let res: Response;
  try {
    res = await fetch(new URL(path, target.url), {
      method,
      headers: { Authorization: `Bearer ${target.secret}` },
      signal: AbortSignal.timeout(OUTPUTS_TIMEOUT_MS),
    });
  } catch (err) {
    return fail(CONSOLE_ERROR_CODES.HUB_UNREACHABLE, `The hub did not answer about its outputs (${(err as Error).name === 'TimeoutError' ? 'timeout' : (err as Error).message}).`);
  }
  if (res.status === 401) return fail(ERROR_CODES.AUTH_BAD_SECRET, 'The hub refused the room secret for its outputs.');
  const body: unknown = await res.json().catch(() => null);
  return ok({ status: res.status, body });
}

/** The outputs of the rooms the secret opens; empty when the hub runs none. */
export async function fetchHubOutputs(target: HubOutputsTarget): Promise<ConsoleResult<OutputStatus[]>> {
  const r = await request(target, '/outputs', 'GET');
  if (!r.ok) return r;
  if (r.value.status === 404) return ok([]);
  const parsed = listSchema.safeParse(r.value.body);
  if (r.value.status !== 200 || !parsed.success) return fail(CONSOLE_ERROR_CODES.INTERNAL, `The hub's outputs answer was not understood (HTTP ${r.value.status}).`);
  return ok(parsed.data.outputs);
}

/** Switches one output on or off on the hub; its status after the switch. */
export async function switchHubOutput(target: HubOutputsTarget, id: string, enabled: boolean): Promise<ConsoleResult<OutputStatus>> {
  const r = await request(target, `/outputs/${encodeURIComponent(id)}/${enabled ? 'enable' : 'disable'}`, 'POST');
  if (!r.ok) return r;
  const parsed = switchSchema.safeParse(r.value.body);
  if (!parsed.success) return fail(CONSOLE_ERROR_CODES.INTERNAL, `The hub's answer to the switch was not understood (HTTP ${r.value.status}).`);
  if (!parsed.data.ok) return fail(CONSOLE_ERROR_CODES.INVALID_ARGUMENTS, `${parsed.data.error.code}: ${parsed.data.error.message}`);
  return ok(parsed.data.value);
}
