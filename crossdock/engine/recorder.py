"""A `MockMonitor` that records every resource registration it sees.

The SDK sends each resource to the monitor as a RegisterResourceRequest carrying
parent, provider, dependencies, property dependencies, options and the source
position; that request is exactly the graph policies need. Recording happens on
the SDK's worker threads, so it avoids the base class's per-call event loop and
async (de)serialization: one synchronous decode of the inputs, one encode of the
state, a few dict/list appends.
"""

from __future__ import annotations

import asyncio
import inspect
import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from google.protobuf import empty_pb2
from pulumi.runtime import Mocks
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, _resolve_callbacks
from pulumi.runtime.proto import provider_pb2, resource_pb2
from pulumi.runtime.settings import get_project, get_stack

from crossdock.engine.graph import STACK_TYPE, Resource
from crossdock.engine.regions import AWS_PROVIDER_TYPE, RegionResolver
from crossdock.engine.wire import SECRET_MASK, decode_struct, encode_struct, wrap_secret


class RecordingMonitor(MockMonitor):
    """Records resources, component outputs, reads and invokes while answering via `mocks`."""

    def __init__(self, mocks: Mocks, project_dir: Path, resolver: RegionResolver) -> None:
        super().__init__(mocks)
        self.project_dir = Path(project_dir)
        self.resolver = resolver
        self.records: list[Resource] = []
        self.reads: list[Resource] = []
        self.registered_outputs: dict[str, dict[str, Any]] = {}
        self.secret_outputs: dict[str, dict[str, Any]] = {}
        self.warnings: list[str] = []
        self._source_cache: dict[str, tuple[str, bool]] = {}
        self._transforms_by_urn: dict[str, list[Any]] = {}
        self._prefix = str(self.project_dir) + os.sep

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """URNs as the Pulumi engine forms them: the parent's whole type chain, no stack prefix.

        The SDK's mock keeps only the parent's last type and prefixes top-level
        resources with the stack type; real URNs (`pulumi stack --show-urns`) carry
        `Environment$DataTier$...$Cluster`, which waivers and reports must match.
        """
        if parent:
            parent_type = parent.split("::")[2]
            if parent_type != STACK_TYPE:
                type_ = f"{parent_type}${type_}"
        return f"urn:pulumi:{get_stack()}::{get_project()}::{type_}::{name}"

    # -- resources -----------------------------------------------------------------------------
    def RegisterResource(self, request: Any) -> resource_pb2.RegisterResourceResponse:
        urn = self.make_urn(request.parent, request.type, request.name)
        type_ = request.type
        if type_ == STACK_TYPE:
            record = self._record(request, urn, {}, frozenset(), None, "", {})
            record.source_file = record.source_line = None  # declared by the SDK, not by the program
            self.records.append(record)
            return resource_pb2.RegisterResourceResponse(urn=urn)

        masked: dict[str, Any] = {}
        inputs, secret_keys = decode_struct(request.object, masked)
        options: dict[str, Any] = {}
        transforms = self._transforms_for(request, urn)
        if transforms:
            inputs, options = _apply_transforms(transforms, request, inputs)
        provider_ref = request.provider
        region = self.resolver.region_for(type_, inputs, provider_ref)
        if type_ == AWS_PROVIDER_TYPE:
            self.resolver.register_provider(inputs, urn=urn)

        args = MockResourceArgs(
            typ=type_,
            name=request.name,
            inputs=inputs,
            provider=provider_ref,
            resource_id=request.importId,
            custom=request.custom,
            transforms=transforms,
        )
        args.region = region  # type: ignore[attr-defined]  # lets OfflineMocks skip re-resolving
        id_, state = self.mocks.new_resource(args)
        id_ = id_ or ""
        state = state if state is not None else {}
        wire_state = state
        # Keep secret inputs secret in the outputs the program sees, and mark the outputs the
        # provider declares secret (`additionalSecretOutputs`: an access key's `secret`, a random
        # password's `result`), as the Pulumi engine does; whatever derives from them stays secret.
        secret_outputs = secret_keys.union(request.additionalSecretOutputs)
        if secret_outputs:
            wire_state = {k: wrap_secret(v) if k in secret_outputs else v for k, v in state.items()}

        if request.remote:
            self.warnings.append(
                f"component {type_} {request.name!r} is implemented by a provider plugin; its children are not planned "
                "offline and no rule sees inside it"
            )
        record = self._record(request, urn, inputs, frozenset(secret_keys), region, id_, state)
        record.masked_inputs = masked
        record.remote = bool(request.remote)
        record.secret_outputs = frozenset(request.additionalSecretOutputs)
        for key, value in options.items():
            setattr(record, key, value)
        self.records.append(record)
        self.resources[urn] = MockMonitor.ResourceRegistration(urn, id_, state)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=id_, object=encode_struct(wire_state))

    def ReadResource(self, request: Any) -> resource_pb2.ReadResourceResponse:
        urn = self.make_urn(request.parent, request.type, request.name)
        inputs, _ = decode_struct(request.properties)
        region = self.resolver.region_for(request.type, inputs, request.provider)
        args = MockResourceArgs(
            typ=request.type,
            name=request.name,
            inputs=inputs,
            provider=request.provider,
            resource_id=request.id,
            custom=True,
        )
        args.region = region  # type: ignore[attr-defined]
        id_, state = self.mocks.new_resource(args)
        state = state if state is not None else {}
        record = Resource(
            urn=urn,
            type=request.type,
            name=request.name,
            custom=True,
            parent=request.parent,
            provider=_provider_urn(request.provider),
            region=region,
            dependencies=sorted(request.dependencies),
            property_dependencies={},
            inputs=inputs,
            outputs=state,
            id=id_ or request.id,
        )
        self.reads.append(record)
        self.resources[urn] = MockMonitor.ResourceRegistration(urn, id_ or request.id, state)
        return resource_pb2.ReadResourceResponse(urn=urn, id=id_ or request.id, properties=encode_struct(state))

    def RegisterResourceOutputs(self, request: Any) -> empty_pb2.Empty:
        masked: dict[str, Any] = {}
        outputs, secret_keys = decode_struct(request.outputs, masked)
        self.secret_outputs[request.urn] = {key: outputs[key] for key in secret_keys if key in outputs}
        for key in secret_keys:  # shown like `pulumi stack output` shows secrets
            outputs[key] = masked.get(key, SECRET_MASK)
        self.registered_outputs[request.urn] = outputs
        return empty_pb2.Empty()

    # -- invokes ---------------------------------------------------------------------------------
    def Invoke(self, request: Any) -> resource_pb2.ResourceInvokeResponse:
        if request.tok == "pulumi:pulumi:getResource":
            response: resource_pb2.ResourceInvokeResponse = super().Invoke(request)  # type: ignore[no-untyped-call]
            return response
        args, _ = decode_struct(request.args)
        result = self.mocks.call(MockCallArgs(token=request.tok, args=args, provider=request.provider))
        if isinstance(result, dict):
            ret, failures = result, None
        else:
            ret, failures = result[0], result[1]
        checks = [provider_pb2.CheckFailure(property=p, reason=r) for p, r in failures or []]
        return resource_pb2.ResourceInvokeResponse(failures=checks, **{"return": encode_struct(ret or {})})  # type: ignore[arg-type]  # `return` is a keyword

    # -- helpers -----------------------------------------------------------------------------------
    def _transforms_for(self, request: Any, urn: str) -> list[Any]:
        """Transforms that apply, in the engine's order: the resource's own, its ancestors', the stack's.

        The SDK's plain MockMonitor ignores transforms; the real engine runs them before the
        provider sees the inputs, and policies see the transformed inputs, so the recorder runs them.
        """
        own = _resolve_callbacks(request.transforms) if request.transforms else []
        inherited = self._transforms_by_urn.get(request.parent)
        chain = own + inherited if inherited else own
        if chain:
            self._transforms_by_urn[urn] = chain
        return chain + self._stack_transforms if self._stack_transforms else chain

    def _record(
        self,
        request: Any,
        urn: str,
        inputs: dict[str, Any],
        secret_keys: frozenset[str],
        region: str | None,
        id_: str,
        state: dict[str, Any],
    ) -> Resource:
        file, line = self._source(request)
        prop_deps = request.propertyDependencies
        return Resource(
            urn=urn,
            type=request.type,
            name=request.name,
            custom=request.custom,
            parent=request.parent,
            provider=_provider_urn(request.provider),
            region=region,
            # The SDK builds these from sets (random order per process); sorted keeps plans reproducible.
            dependencies=sorted(request.dependencies),
            property_dependencies={k: sorted(prop_deps[k].urns) for k in sorted(prop_deps)} if prop_deps else {},
            inputs=inputs,
            outputs=state,
            id=id_,
            protect=bool(request.protect),
            retain_on_delete=bool(request.retainOnDelete),
            delete_before_replace=bool(request.deleteBeforeReplace),
            ignore_changes=list(request.ignoreChanges),
            aliases=_aliases(request) if (request.aliases or request.aliasURNs) else [],
            secret_inputs=secret_keys,
            source_file=file,
            source_line=line,
        )

    def _source(self, request: Any) -> tuple[str | None, int | None]:
        """Where the program declared the resource, relative to the project when inside it.

        The SDK reports the caller of the resource class's constructor; for classes with
        an extra constructor layer (providers, some third-party components) that caller is
        library code, so fall back to the first stack frame inside the project.
        """
        if not request.HasField("sourcePosition"):
            return None, None
        pos = request.sourcePosition
        file, in_project = self._relative(pos.uri)
        if in_project:
            return file, (pos.line or None)
        for frame in request.stackTrace.frames:
            candidate, inside = self._relative(frame.pc.uri)
            if inside:
                return candidate, (frame.pc.line or None)
        return file, (pos.line or None)

    def _relative(self, uri: str) -> tuple[str, bool]:
        cached = self._source_cache.get(uri)
        if cached is None:
            path = unquote(urlparse(uri).path) if uri.startswith("file:") else uri
            inside = path.startswith(self._prefix) and "site-packages" not in path and "dist-packages" not in path
            cached = (path[len(self._prefix) :] if inside else path, inside)
            self._source_cache[uri] = cached
        return cached


def _apply_transforms(
    transforms: list[Any], request: Any, inputs: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run resource transforms on the wire-named inputs; return new inputs and changed options."""
    from pulumi import ResourceOptions
    from pulumi.resource import ResourceTransformArgs

    opts = ResourceOptions(
        protect=request.protect,
        ignore_changes=list(request.ignoreChanges) or None,
        retain_on_delete=request.retainOnDelete,
        delete_before_replace=request.deleteBeforeReplace,
    )
    for transform in transforms:
        result = transform(
            ResourceTransformArgs(custom=request.custom, type_=request.type, name=request.name, props=inputs, opts=opts)
        )
        if inspect.isawaitable(result):
            result = asyncio.run(_awaited(result))  # worker thread: no loop is running here
        if result is not None:
            inputs = dict(result.props) if result.props is not None else inputs
            opts = result.opts if result.opts is not None else opts
    options = {
        "protect": bool(opts.protect),
        "retain_on_delete": bool(opts.retain_on_delete),
        "delete_before_replace": bool(opts.delete_before_replace),
        "ignore_changes": list(opts.ignore_changes or []),
    }
    return inputs, options


async def _awaited(awaitable: Any) -> Any:
    return await awaitable


def _provider_urn(ref: str) -> str:
    """Provider references are `urn::id`; the graph keeps the URN ("" = default provider)."""
    if not ref:
        return ""
    urn, sep, _ = ref.rpartition("::")
    return urn if sep else ref


def _aliases(request: Any) -> list[Any]:
    out: list[Any] = list(request.aliasURNs)
    for alias in request.aliases:
        if alias.urn:
            out.append(alias.urn)
        else:
            spec = alias.spec
            entry = {k: getattr(spec, k) for k in ("name", "type", "stack", "project") if getattr(spec, k)}
            if spec.parentUrn:
                entry["parent"] = spec.parentUrn
            if spec.noParent:
                entry["noParent"] = True
            out.append(entry)
    return out
