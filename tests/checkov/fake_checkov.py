"""A stand-in for the checkov executable, for fast deterministic tests of crossdock's side.

It accepts checkov's command line as crossdock builds it, logs the arguments (and the
files it was given) to $FAKE_CHECKOV_LOG, and prints a checkov-shaped JSON report:

- terraform_plan: for each planned resource, every id in $FAKE_CHECKOV_FAIL[<tf type>]
  fails and CKV_FAKE_1 passes;
- kubernetes: for each manifest, every id in $FAKE_CHECKOV_FAIL[<Kind>] fails.

$FAKE_CHECKOV_EXIT makes it crash instead (that exit code, a traceback on stderr).
"""

import json
import os
import sys
from pathlib import Path


def main(argv):
    log = os.environ.get("FAKE_CHECKOV_LOG")
    files = argv[argv.index("-f") + 1 :] if "-f" in argv else []
    if log:
        with open(log, "a") as handle:
            handle.write(
                json.dumps({"argv": argv, "cwd": os.getcwd(), "exists": [Path(f).is_file() for f in files]}) + "\n"
            )
    if os.environ.get("FAKE_CHECKOV_EXIT"):
        sys.stderr.write("Traceback (most recent call last):\n  ...\nRuntimeError: boom\n")
        return int(os.environ["FAKE_CHECKOV_EXIT"])
    fail = json.loads(os.environ.get("FAKE_CHECKOV_FAIL", "{}"))
    reports = []
    plan_results = {"passed_checks": [], "failed_checks": [], "skipped_checks": [], "parsing_errors": []}
    k8s_results = {"passed_checks": [], "failed_checks": [], "skipped_checks": [], "parsing_errors": []}
    for name in files:
        path = Path(name).resolve()
        if path.suffix == ".json":
            document = json.loads(path.read_text())
            for resource in document["planned_values"]["root_module"]["resources"]:
                address = resource["address"]
                for check_id in fail.get(resource["type"], []):
                    plan_results["failed_checks"].append(_check(check_id, "FAILED", address, path))
                plan_results["passed_checks"].append(_check("CKV_FAKE_1", "PASSED", address, path))
        else:
            text = path.read_text()
            kind = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("kind:"))
            for check_id in fail.get(kind, []):
                k8s_results["failed_checks"].append(_check(check_id, "FAILED", f"{kind}.default.{path.stem}", path))
    if "terraform_plan" in argv:
        reports.append({"check_type": "terraform_plan", "results": plan_results, "summary": _summary(plan_results)})
    if "kubernetes" in argv and any(not f.endswith(".json") for f in files):
        reports.append({"check_type": "kubernetes", "results": k8s_results, "summary": _summary(k8s_results)})
    print(json.dumps(reports[0] if len(reports) == 1 else reports, indent=2))
    return 0


def _check(check_id, result, resource, path):
    return {
        "check_id": check_id,
        "check_name": f"Fake check {check_id}",
        "check_result": {"result": result, "evaluated_keys": ["fake"]},
        "file_path": "/" + path.name,
        "file_abs_path": str(path),
        "resource": resource,
        "resource_address": resource if path.suffix == ".json" else None,
        "severity": "HIGH" if check_id == "CKV_AWS_26" else None,
        "guideline": None,
    }


def _summary(results):
    return {
        "passed": len(results["passed_checks"]),
        "failed": len(results["failed_checks"]),
        "skipped": 0,
        "parsing_errors": 0,
        "resource_count": 0,
        "checkov_version": "3.3.30",
    }


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
