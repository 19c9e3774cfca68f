// Drives Novu's official TypeScript SDK (@novu/api, pinned in package.json) against a Novu API: the emulator in
// XNovu.Tests/Novu/NovuSdkTests.cs. The SDK validates every answer with its own schemas (zod), so a field the
// emulator leaves out or misshapes fails here as it would for a customer's code. Usage:
//   node sdk-check.mjs <serverURL> <secretKey> <run id>
// Prints one line per check and exits non-zero at the first failure.
import assert from "node:assert/strict";
import { Novu } from "@novu/api";
import * as errors from "@novu/api/models/errors/index.js";

const [serverURL, secretKey, run] = process.argv.slice(2);
// No retries: the SDK retries 408, 409, 429 and 5xx for up to an hour by default, and a refusal is what some
// checks expect.
const novu = new Novu({ serverURL, secretKey, retryConfig: { strategy: "none" }, timeoutMs: 15000 });
const workflowId = `sdk-${run}`;
const subscriberId = `sdk-subscriber-${run}`;
const checks = [];

const check = (name, fn) => checks.push([name, fn]);

const steps = [
  { name: "Email", type: "email", controlValues: { subject: "Hello {{payload.name}}", body: "<p>Hi</p>" } },
  { name: "In-app", type: "in_app", controlValues: { body: "Hi {{subscriber.firstName}}" } },
  { name: "SMS", type: "sms", controlValues: { body: "Hi" } },
];

async function refused(promise, status, kind) {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof kind, `expected ${kind.name}, got ${error?.constructor?.name}: ${error?.message}`);
    assert.equal(error.statusCode, status);
    return error;
  }
  assert.fail(`expected a refusal with ${status}`);
}

check("workflows.create answers a workflow the SDK accepts", async () => {
  const { result } = await novu.workflows.create({
    name: "SDK welcome",
    workflowId,
    steps,
    preferences: { user: { all: { enabled: true, readOnly: false }, channels: { sms: { enabled: false } } } },
    severity: "low",
    active: true,
  });
  assert.equal(result.workflowId, workflowId);
  assert.equal(result.status, "ACTIVE");
  assert.equal(result.severity, "low");
  assert.deepEqual(result.steps.map(s => s.type), ["email", "in_app", "sms"]);
  for (const step of result.steps) {
    assert.equal(step.workflowId, workflowId);
    assert.equal(step.workflowDatabaseId, result.id);
    assert.equal(typeof step.variables, "object");
  }
  assert.equal(result.steps[0].controls.values.subject, "Hello {{payload.name}}");
  assert.equal(result.preferences.user.channels.sms.enabled, false);
  assert.equal(result.preferences.default.all.enabled, true);
});

check("workflows.get finds it by identifier", async () => {
  const { result } = await novu.workflows.get(workflowId);
  assert.equal(result.name, "SDK welcome");
  assert.equal(result.steps[1].controlValues.body, "Hi {{subscriber.firstName}}");
});

check("workflows.update replaces name, steps and preferences", async () => {
  const { result } = await novu.workflows.update({
    name: "SDK welcome 2",
    steps: [...steps, { name: "Push", type: "push", controlValues: { subject: "S", body: "B" } }],
    preferences: { user: null },
    active: false,
  }, workflowId);
  assert.equal(result.name, "SDK welcome 2");
  assert.equal(result.status, "INACTIVE");
  assert.equal(result.steps.length, 4);
  assert.equal(result.preferences.user ?? null, null);
});

check("workflows.list answers the list shape", async () => {
  const { result } = await novu.workflows.list({ limit: 100, query: workflowId });
  const mine = result.workflows.find(w => w.workflowId === workflowId);
  assert.ok(mine, "the workflow is listed");
  assert.deepEqual(mine.stepTypeOverviews, ["email", "in_app", "sms", "push"]);
  assert.ok(result.totalCount >= 1);
});

check("workflows refusals: unknown is 404, a taken identifier 409, a bad one 422", async () => {
  await refused(novu.workflows.get(`${workflowId}-missing`), 404, errors.ErrorDto);
  await refused(novu.workflows.create({ name: "again", workflowId, steps }), 409, errors.ErrorDto);
  const invalid = await refused(novu.workflows.create({ name: "bad", workflowId: "not a slug!", steps }), 422, errors.ValidationErrorDto);
  assert.ok(invalid.errors.workflowId, "the field is named");
  await refused(novu.workflows.update({ name: "x", steps, preferences: { user: null } }, `${workflowId}-missing`), 404, errors.ErrorDto);
});

check("subscribers.preferences.list: global and per workflow", async () => {
  await novu.subscribers.create({ subscriberId, firstName: "Ada" });
  const { result } = await novu.subscribers.preferences.list({ subscriberId });
  assert.deepEqual(result.global.channels, { inApp: true, email: true, sms: true, chat: true, push: true });
  const mine = result.workflows.find(w => w.workflow.identifier === workflowId);
  assert.ok(mine, "the workflow has a preference");
  assert.deepEqual(mine.channels, { inApp: true, email: true, sms: true, push: true });
});

check("subscribers.preferences.update: per workflow, then global", async () => {
  const perWorkflow = await novu.subscribers.preferences.update({ workflowId, channels: { email: false } }, subscriberId);
  const mine = perWorkflow.result.workflows.find(w => w.workflow.identifier === workflowId);
  assert.equal(mine.channels.email, false);
  assert.deepEqual(mine.overrides, [{ channel: "email", source: "subscriber" }]);
  const global = await novu.subscribers.preferences.update({ channels: { sms: false } }, subscriberId);
  assert.equal(global.result.global.channels.sms, false);
  assert.equal(global.result.workflows.find(w => w.workflow.identifier === workflowId).channels.email, false);
});

check("subscribers.preferences.bulkUpdate answers per workflow", async () => {
  const { result } = await novu.subscribers.preferences.bulkUpdate(
    { preferences: [{ workflowId, channels: { push: false, email: true } }] }, subscriberId);
  assert.equal(result.length, 1);
  assert.equal(result[0].level, "template");
  assert.equal(result[0].workflow.identifier, workflowId);
  assert.equal(result[0].channels.push, false);
  assert.equal(result[0].channels.email, true);
});

check("preference refusals: unknown subscriber or workflow 404, a critical workflow 400, a bad body 422", async () => {
  await refused(novu.subscribers.preferences.list({ subscriberId: `${subscriberId}-missing` }), 404, errors.ErrorDto);
  await refused(novu.subscribers.preferences.update({ workflowId: `${workflowId}-missing`, channels: { email: false } }, subscriberId), 404, errors.ErrorDto);
  const critical = `${workflowId}-critical`;
  await novu.workflows.create({
    name: "Critical", workflowId: critical, steps,
    preferences: { user: { all: { enabled: true, readOnly: true }, channels: {} } },
  });
  await refused(novu.subscribers.preferences.update({ workflowId: critical, channels: { email: false } }, subscriberId), 400, errors.ErrorDto);
  const hidden = await novu.subscribers.preferences.list({ subscriberId });
  assert.ok(!hidden.result.workflows.some(w => w.workflow.identifier === critical), "critical workflows are hidden by default");
  const shown = await novu.subscribers.preferences.list({ subscriberId, criticality: "critical" });
  assert.deepEqual(shown.result.workflows.map(w => w.workflow.identifier), [critical]);
  await refused(novu.subscribers.preferences.bulkUpdate({ preferences: [] }, subscriberId), 422, errors.ValidationErrorDto);
});

let failed = 0;
for (const [name, fn] of checks) {
  try {
    await fn();
    console.log(`ok - ${name}`);
  } catch (error) {
    failed++;
    console.log(`not ok - ${name}\n  ${error?.name}: ${error?.message}`);
    if (error?.rawValue !== undefined || error?.body$ !== undefined) {
      console.log(`  body: ${String(error.body$ ?? JSON.stringify(error.rawValue)).slice(0, 2000)}`);
    }
    if (error?.cause) console.log(`  cause: ${String(error.cause).slice(0, 2000)}`);
    break;
  }
}
console.log(`${checks.length - failed} of ${checks.length} SDK checks passed`);
process.exit(failed ? 1 : 0);
