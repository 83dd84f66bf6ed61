"""The `pulumi.runtime.Mocks` implementation used to run programs offline.

Resources get deterministic, realistic ids and outputs (see `aws_resources`), invokes
get offline answers (see `invokes`), and anything not modelled returns an empty
result plus a warning, so a plan never silently relies on a made-up lookup.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Callable
from typing import Any

from pulumi.runtime import Mocks
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs

from crossdock.engine import aws_resources, invokes, random_resources
from crossdock.engine.regions import AWS_PROVIDER_TYPE, RegionResolver, is_aws_type
from crossdock.engine.wire import is_unknown, wrap_secret
from crossdock.errors import CrossdockError

STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"


class OfflineMocks(Mocks):
    """Realistic AWS mocks; region-aware through a `RegionResolver` shared with the recorder."""

    def __init__(self, resolver: RegionResolver, stack_references: Callable[[str], Any] | None = None) -> None:
        self.resolver = resolver
        # Resolves a stack reference to (outputs, secret output names), or None when it cannot.
        self.stack_references = stack_references
        # The first bad-input error met while answering (a reference to a missing stack);
        # the runner raises it after the run instead of the program's follow-on failure.
        self.failure: CrossdockError | None = None
        self._warnings: dict[str, None] = {}
        self.unresolved_references: list[str] = []
        """Stack references whose outputs are not available offline (answered with none)."""
        self.unanswered: list[str] = []
        """Invoke tokens answered with an empty result, in call order."""
        self._lock = threading.Lock()

    @property
    def warnings(self) -> list[str]:
        """Warnings raised while answering (unmodelled invokes, stack references), in order, unique."""
        return list(self._warnings)

    def warn(self, message: str) -> None:
        with self._lock:
            self._warnings.setdefault(message, None)

    # -- resources ------------------------------------------------------------------------
    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        typ = args.typ
        inputs = args.inputs
        if not args.custom and not typ.startswith("pulumi:providers:"):
            return "", inputs  # component resources have no physical id
        if typ.startswith("pulumi:providers:"):
            id_ = str(uuid.UUID(bytes=hashlib.sha256(f"{typ}\x00{args.name}".encode()).digest()[:16], version=4))
            if typ == AWS_PROVIDER_TYPE:
                self.resolver.register_provider(inputs, id_=id_)
            return id_, inputs
        if typ == STACK_REFERENCE_TYPE:
            return self._stack_reference(args)
        if args.resource_id and not is_aws_type(typ):
            return args.resource_id, inputs
        if typ.startswith("random:"):
            modelled = random_resources.compute(typ, args.name, inputs)
            if modelled is not None:
                return modelled
        if is_aws_type(typ):
            region = (
                getattr(args, "region", None)
                or self.resolver.region_for(typ, inputs, args.provider)
                or self.resolver.default.region
            )
            tags = self.resolver.provider(args.provider).default_tags
            id_, state = aws_resources.compute(typ, args.name, inputs, region, tags)
            if args.resource_id:  # `.get()` reads keep the id they asked for
                id_ = args.resource_id
            return id_, state
        return f"{args.name}-{hashlib.sha256(typ.encode() + args.name.encode()).hexdigest()[:7]}", inputs

    def _stack_reference(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        """The referenced stack's outputs (planned offline by `stack_references`); secrets stay secret."""
        target = args.inputs.get("name") or args.name
        resolved = None
        if self.stack_references is not None:
            try:
                resolved = self.stack_references(target)
            except CrossdockError as error:
                with self._lock:
                    self.failure = self.failure or error
        if resolved is None:
            if self.failure is None:
                self.warn(
                    f"stack reference {target!r} is not resolved offline (its project is not on disk); its outputs "
                    f"are empty: supply them with --stack-outputs {target}=FILE.json"
                )
                with self._lock:
                    self.unresolved_references.append(target)
            return args.resource_id or target, {"name": target, "outputs": {}, "secretOutputNames": []}
        outputs, secret_names = resolved
        wire = {key: wrap_secret(value) if key in secret_names else value for key, value in outputs.items()}
        return args.resource_id or target, {"name": target, "outputs": wire, "secretOutputNames": list(secret_names)}

    # -- invokes ---------------------------------------------------------------------------
    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        token = args.token
        provider = self.resolver.provider(args.provider)
        region = args.args.get("region")
        if not isinstance(region, str) or not region or is_unknown(region):
            region = provider.region
        result = invokes.answer(token, args.args, region, provider.default_tags)
        if result is None:
            self.warn(f"invoke {token} is not modelled offline; returned an empty result")
            with self._lock:
                self.unanswered.append(token)
            return {}, None
        return result, None
