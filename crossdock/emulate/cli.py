"""`crossdock emulate STACK`: the stack's stateful resources, from the offline plan, inside moto.

Without --endpoint-url it starts a moto server on 127.0.0.1 (with crossdock's moto-gap
additions), creates the resources and serves until Ctrl-C; with --endpoint-url it
creates them in a moto server that is already running and exits.
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from crossdock.errors import CrossdockError

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PORT = 5055


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("stack", metavar="STACK", help="stack name: plans stacks/Pulumi.STACK.yaml offline")
    parser.add_argument("--project", metavar="DIR", type=Path, default=None, help="project directory (default: repo)")
    parser.add_argument(
        "--endpoint-url",
        metavar="URL",
        default=None,
        help="create the resources in this running moto server (e.g. http://127.0.0.1:5000) and exit",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port of the server this command starts (default {DEFAULT_PORT})",
    )
    parser.add_argument(
        "--seed-dlq",
        action="append",
        default=[],
        metavar="FLOW=N",
        help="put N JSON messages into FLOW's dead-letter queue (repeatable)",
    )
    parser.add_argument(
        "--seed-poison", action="append", default=[], metavar="FLOW=N", help="put N non-JSON messages into FLOW's DLQ"
    )


def _counts(items: list[str], flag: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        flow, sep, count = item.partition("=")
        if not sep or not count.isdigit():
            raise CrossdockError(f"{flag} {item}: expected FLOW=N")
        out[flow] = out.get(flow, 0) + int(count)
    return out


def run(args: argparse.Namespace) -> int:
    from crossdock.emulate import moto_gaps
    from crossdock.emulate.account import EmulatedAccount, dummy_environment
    from crossdock.emulate.build import emulate_plan
    from crossdock.emulate.seed import dead_letter_queue, seed
    from crossdock.engine import run_program

    seeds = _counts(args.seed_dlq, "--seed-dlq")
    poison = _counts(args.seed_poison, "--seed-poison")
    if not (1 <= args.port <= 65535):
        raise CrossdockError(f"--port {args.port}: must be 1-65535")
    plan = run_program(args.project if args.project is not None else REPO_ROOT, args.stack)
    for flow in {**seeds, **poison}:
        try:
            dead_letter_queue(plan, flow)
        except KeyError as error:
            raise CrossdockError(f"--seed-dlq {flow}: {error.args[0]}") from None
    server = None
    endpoint = args.endpoint_url
    moto_gaps.install()
    with dummy_environment():
        if endpoint is None:
            from moto.server import ThreadedMotoServer

            logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request on the console
            server = ThreadedMotoServer(ip_address="127.0.0.1", port=args.port, verbose=False)
            try:
                server.start()
            except OSError as error:
                raise CrossdockError(f"--port {args.port}: cannot listen on 127.0.0.1 ({error.strerror})") from error
            endpoint = f"http://127.0.0.1:{args.port}"
        account = EmulatedAccount(endpoint_url=endpoint)
        try:
            emulation = emulate_plan(plan, account.client)
        except Exception as error:
            if server is not None:
                server.stop()
            if type(error).__name__ == "EndpointConnectionError":
                raise CrossdockError(f"--endpoint-url {endpoint}: no moto server answers there") from error
            raise
        print(f"crossdock emulate {args.stack}: {emulation.summary()} at {endpoint}")
        for typ, count in sorted((+emulation.created).items()):
            print(f"  {count:4d}  {typ}")
        skipped = sum(emulation.skipped.values())
        if skipped:
            print(f"  skipped {skipped} resources of {len(emulation.skipped)} types that hold no incident state")
        for note in emulation.notes:
            print(f"  note: {note}")
        for flow in sorted({**seeds, **poison}):
            region, name, fifo = dead_letter_queue(plan, flow)
            sqs = account.client("sqs", region)
            url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
            seed(sqs, url, seeds.get(flow, 0), fifo=fifo, poison=poison.get(flow, 0))
            print(f"  seeded {name}: {seeds.get(flow, 0)} messages, {poison.get(flow, 0)} poison")
        if server is None:
            return 0
        print(
            f"Serving until Ctrl-C. Next: scripts/crossdock runbook run queue-replay --stack {args.stack} "
            f"--param flow=FLOW --endpoint-url {endpoint}"
        )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0
        finally:
            server.stop()
