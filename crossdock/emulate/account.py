"""An emulated AWS account: boto3 clients against moto, in-process or behind a moto server.

In-process (`endpoint_url=None`), the caller holds moto's `mock_aws()` open; with an
endpoint URL every client talks to that server (a `moto_server` on 127.0.0.1, or the
one `crossdock emulate` starts). Credentials are fixed dummies: an emulated account
never signs a request that real AWS would accept.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from typing import Any

import boto3
from botocore.config import Config

from crossdock.emulate import moto_gaps
from crossdock.emulate.build import Emulation, emulate_plan
from crossdock.engine import Plan

DUMMY_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
# moto's default account, which is also the account the offline engine plans with.
ACCOUNT_ID = "123456789012"
_CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"})


# One botocore session (and so one loader cache of service models and endpoints) and one
# client per (service, region, endpoint) for the whole process: building clients, not
# calling them, is what costs time, and moto intercepts calls of clients made earlier too.
_SESSIONS: list[boto3.session.Session] = []  # at most one, made on first use
_CLIENTS: dict[tuple[str, str, str | None], Any] = {}
_LOCK = threading.Lock()


def shared_client(service: str, region: str, endpoint_url: str | None = None) -> Any:
    with _LOCK:
        key = (service, region, endpoint_url)
        if key not in _CLIENTS:
            if not _SESSIONS:
                _SESSIONS.append(boto3.session.Session(**DUMMY_CREDENTIALS))
            _CLIENTS[key] = _SESSIONS[0].client(service, region_name=region, endpoint_url=endpoint_url, config=_CONFIG)
        return _CLIENTS[key]


class EmulatedAccount:
    """boto3 clients per (service, region) against the emulator."""

    def __init__(self, endpoint_url: str | None = None, default_region: str = "us-east-1") -> None:
        self.endpoint_url = endpoint_url
        self.default_region = default_region

    def client(self, service: str, region: str | None = None) -> Any:
        return shared_client(service, region or self.default_region, self.endpoint_url)


@contextlib.contextmanager
def dummy_environment() -> Iterator[None]:
    """AWS_* variables that keep every boto3 default (credentials, profile) away from real accounts."""
    saved = {key: os.environ.get(key) for key in _DUMMY_ENV}
    os.environ.update(_DUMMY_ENV)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


_DUMMY_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    # moto otherwise builds thousands of public AMIs and snapshots per region (seconds each).
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
}


@contextlib.contextmanager
def emulated(plan: Plan) -> Iterator[tuple[EmulatedAccount, Emulation]]:
    """The plan's stateful resources inside an in-process moto account, for the duration of the block.

    The same code `crossdock emulate` runs; tests use it through the `emulated_stack` fixture.
    """
    from moto import mock_aws

    moto_gaps.install()
    with dummy_environment(), mock_aws():
        account = EmulatedAccount(default_region=_primary_region(plan))
        emulation = emulate_plan(plan, account.client)
        yield account, emulation


def _primary_region(plan: Plan) -> str:
    regions = [r.region for r in plan.resources if r.region and r.type == "aws:sqs/queue:Queue"]
    regions = regions or [r.region for r in plan.resources if r.region]
    return regions[0] if regions else "us-east-1"
