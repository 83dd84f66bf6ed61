"""Benchmark: queue-replay of 10,000 messages in the emulated prod account.

    .venv/bin/python -m bench.queue_replay [--messages 10000] [--flow carrier-events] [--rate R]

Plans prod offline, creates it in moto in-process (crossdock emulate's code), seeds the
flow's DLQ, runs queue-replay with --execute, then drains the source queue and counts:
messages per second of the replay itself (seeding and draining excluded), lost (seeded
messages that did not arrive) and duplicated (arrivals beyond the first of a message).
`--rate` defaults to a rate the limiter never reaches, so the number is the runbook's own
throughput (ledger claim + send + mark + delete per message) against moto; the runbook's
default rates (50/s and below) bound a real replay far below it.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--flow", default="carrier-events")
    parser.add_argument("--rate", default="1000000")
    args = parser.parse_args()

    from crossdock.emulate import emulated
    from crossdock.emulate.seed import dead_letter_queue, seed
    from crossdock.engine import run_program
    from crossdock.runbook.facts import load_facts
    from runbooks import RUNBOOKS
    from runbooks.core import Run, perform

    started = time.perf_counter()
    plan = run_program(ROOT, "prod")
    facts = load_facts(ROOT, "prod")
    planned = time.perf_counter()
    with emulated(plan) as (account, _):
        region, dlq_name, fifo = dead_letter_queue(plan, args.flow)
        sqs = account.client("sqs", region)
        dlq = sqs.get_queue_url(QueueName=dlq_name)["QueueUrl"]
        seeded = seed(sqs, dlq, args.messages, fifo=fifo)
        emulated_at = time.perf_counter()
        run = Run(
            RUNBOOKS["queue-replay"],
            facts,
            {"flow": args.flow, "rate": args.rate, "max-backlog": str(args.messages * 2)},
            clients=account.client,
            execute=True,
            reason="benchmark",
        )
        t0 = time.perf_counter()
        outcome = perform(run)
        seconds = time.perf_counter() - t0
        source = sqs.get_queue_url(QueueName=dlq_name.replace("-dlq", ""))["QueueUrl"]
        arrived: Counter[str] = Counter()
        while True:
            batch = sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10).get("Messages", [])
            if not batch:
                break
            arrived.update(m["Body"] for m in batch)
            sqs.delete_message_batch(
                QueueUrl=source,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)],
            )
    lost = sum(1 for body in seeded if body not in arrived)
    duplicated = sum(count - 1 for count in arrived.values() if count > 1)
    print(
        json.dumps(
            {
                "messages": args.messages,
                "flow": args.flow,
                "status": outcome.status,
                "moved": outcome.result["moved"],
                "replay_seconds": round(seconds, 2),
                "messages_per_second": round(outcome.result["moved"] / seconds, 1),
                "lost": lost,
                "duplicated": duplicated,
                "plan_seconds": round(planned - started, 1),
                "emulate_and_seed_seconds": round(emulated_at - planned, 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
