// @camunda8/sdk (Node) modifies, migrates and deletes against a zeebind engine; one JSON outcome line.
// Usage: ZEEBE_GRPC_ADDRESS=grpc://127.0.0.1:<port> node instance_commands.js <dir with v1.bpmn, v2.bpmn>
"use strict";
const path = require("path");
const { Camunda8 } = require("@camunda8/sdk");

const [bpmnDir] = process.argv.slice(2);
const zbc = new Camunda8().getZeebeGrpcApiClient();

async function oneJob(type) {
  const jobs = await zbc.activateJobs({
    type,
    worker: "sdk",
    maxJobsToActivate: 1,
    timeout: 60000,
    requestTimeout: 2000,
  });
  if (jobs.length !== 1) throw new Error(`expected one '${type}' job, got ${jobs.length}`);
  return jobs[0];
}

async function failure(promise) {
  try {
    await promise;
    return null;
  } catch (err) {
    return { code: err.code, message: err.details || err.message };
  }
}

async function run() {
  const v1 = await zbc.deployResource({ processFilename: path.join(bpmnDir, "v1.bpmn") });
  const v1Key = v1.deployments[0].process.processDefinitionKey;
  const created = await zbc.createProcessInstance({ bpmnProcessId: "order", variables: { x: 1 } });
  const instance = created.processInstanceKey;
  const a = await oneJob("a");
  await zbc.modifyProcessInstance({
    processInstanceKey: instance,
    activateInstructions: [
      {
        elementId: "b",
        ancestorElementInstanceKey: "-1",
        variableInstructions: [{ scopeId: "", variables: { y: 2 } }],
      },
    ],
    terminateInstructions: [{ elementInstanceKey: a.elementInstanceKey }],
  });
  const b = await oneJob("b");
  const modifyRejected = await failure(
    zbc.modifyProcessInstance({
      processInstanceKey: instance,
      activateInstructions: [{ elementId: "nope", ancestorElementInstanceKey: "-1", variableInstructions: [] }],
      terminateInstructions: [],
    })
  );

  const v2 = await zbc.deployResource({ processFilename: path.join(bpmnDir, "v2.bpmn") });
  const v2Key = v2.deployments[0].process.processDefinitionKey;
  await zbc.migrateProcessInstance({
    processInstanceKey: instance,
    migrationPlan: {
      targetProcessDefinitionKey: v2Key,
      mappingInstructions: [{ sourceElementId: "b", targetElementId: "b" }],
    },
  });
  await zbc.completeJob({ jobKey: b.key, variables: {} });
  const c = await oneJob("c");
  await zbc.completeJob({ jobKey: c.key, variables: {} });

  await zbc.deleteResource({ resourceKey: v1Key });
  const deleteAgain = await failure(zbc.deleteResource({ resourceKey: v1Key }));
  return {
    instance,
    bVariables: b.variables,
    modifyRejected,
    c: { processDefinitionKey: c.processDefinitionKey, version: c.processDefinitionVersion, v2Key },
    deleteAgain,
  };
}

(async () => {
  let outcome;
  try {
    outcome = { ok: true, result: await run() };
  } catch (err) {
    outcome = { ok: false, error: String(err && err.stack ? err.stack : err) };
  }
  process.stdout.write("OUTCOME " + JSON.stringify(outcome) + "\n");
  await zbc.close().catch(() => {});
  process.exit(0);
})();
