#!/usr/bin/env python3
"""A stand-in `pulumi` executable: records every invocation and plays back canned output.

Tests put a directory holding it (as `pulumi`) first on PATH. It appends
{"argv": [...], "cwd": ...} to $FAKE_PULUMI_LOG and answers the commands the Automation API
issues: `version` (3.205.0, the last version whose events the SDK reads from a log file),
`stack select`, `preview` (writes a summary event and the --save-plan file), `up` (refuses
without a plan file made by the preview), `stack output`, `stack history`.
$FAKE_PULUMI_FAIL=preview|up makes that command fail with policy-violation-like output.
"""

import json
import os
import sys

argv = sys.argv[1:]
with open(os.environ["FAKE_PULUMI_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps({"argv": argv, "cwd": os.getcwd()}) + "\n")


def option(name):
    return argv[argv.index(name) + 1] if name in argv else None


def summary_event(changes):
    path = option("--event-log")
    if path:
        with open(path, "a", encoding="utf-8") as events:
            event = {"sequence": 1, "timestamp": 1765144800, "summaryEvent": {"resourceChanges": changes}}
            events.write(json.dumps(event) + "\n")


while argv and argv[0] in ("--non-interactive",):  # global flags the Automation API puts first
    argv = argv[1:]
command = argv[0] if argv else ""
fail = os.environ.get("FAKE_PULUMI_FAIL")
if command == "version":
    print("v3.205.0")
elif argv[:2] == ["stack", "select"]:
    pass
elif command == "preview":
    if fail == "preview":
        print("Policies:\n    crossdock@v0.1.0 (local: policies)\n        - [mandatory]  rds-multi-az", file=sys.stderr)
        print("error: preview failed: 1 mandatory policy violation", file=sys.stderr)
        sys.exit(255)
    print("Previewing update (prod)\n + 2 to create\n ~ 1 to update")
    summary_event({"create": 2, "update": 1, "same": 140})
    with open(option("--save-plan"), "w", encoding="utf-8") as plan:
        json.dump({"manifest": {"version": "3.205.0"}, "resourcePlans": {}}, plan)
elif command == "up":
    plan = option("--plan")
    if not plan or not os.path.exists(plan):
        print("error: --plan file missing", file=sys.stderr)
        sys.exit(255)
    if fail == "up":
        print("error: update failed: creating SQS Queue: AccessDenied", file=sys.stderr)
        sys.exit(255)
    print("Updating (prod)\n + 2 created\n ~ 1 updated")
    summary_event({"create": 2, "update": 1, "same": 140})
elif argv[:2] == ["stack", "output"]:
    print("{}")
elif argv[:2] == ["stack", "history"]:
    print(
        json.dumps(
            [
                {
                    "kind": "update",
                    "startTime": "2026-12-08T15:00:00.000Z",
                    "endTime": "2026-12-08T15:04:00.000Z",
                    "message": option("--message") or "",
                    "environment": {},
                    "config": {},
                    "result": "succeeded",
                    "version": 42,
                    "resourceChanges": {"create": 2, "update": 1, "same": 140},
                }
            ]
        )
    )
else:
    print(f"fake pulumi: unexpected command {argv}", file=sys.stderr)
    sys.exit(2)
