// Reads a JSON array of cases on stdin and prints iam-simulate's decision for each, in order.
// A case: {principal, action, resource, resourceAccount, context, identity: [policy], boundary, resourcePolicy,
// scps: [[policy]], rcps: [[policy]]} (one list of policies per level, root first; iam-simulate adds
// RCPFullAWSAccess to every RCP level itself).
import { runSimulation } from '@cloud-copilot/iam-simulate';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const cases = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const levels = (list) =>
  (list ?? []).map((policies, i) => ({
    orgIdentifier: i === 0 ? 'r-root' : `ou-level${i}`,
    policies: policies.map((policy, j) => ({ name: `level${i}-policy${j}`, policy })),
  }));
const out = [];
for (const c of cases) {
  const simulation = {
    request: {
      principal: c.principal,
      action: c.action,
      resource: { resource: c.resource, accountId: c.resourceAccount },
      contextVariables: c.context ?? {},
    },
    identityPolicies: (c.identity ?? []).map((policy, i) => ({ name: `identity${i}`, policy })),
    serviceControlPolicies: levels(c.scps),
    resourceControlPolicies: levels(c.rcps),
    resourcePolicy: c.resourcePolicy ?? undefined,
    permissionBoundaryPolicies: c.boundary ? [{ name: 'boundary', policy: c.boundary }] : undefined,
  };
  try {
    const r = await runSimulation(simulation, {});
    out.push(r.resultType === 'error' ? { error: r.errors.message } : { decision: r.overallResult });
  } catch (e) {
    out.push({ error: String(e) });
  }
}
process.stdout.write(JSON.stringify(out));
