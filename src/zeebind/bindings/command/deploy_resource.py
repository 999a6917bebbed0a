"""`deploy-resource` (and its alias `deploy-process`): one BPMN, DMN or form file, named by
`fileName`.

`data` is the file itself. Over gRPC that is the raw bytes. Over HTTP Dapr hands the binding `data`
re-encoded as JSON, so a JSON string (`"data": "<bpmn:definitions …"`) is unquoted here, and
metadata
`encoding: base64` decodes base64 content. A JSON object (a form) is deployed as written.
"""

from __future__ import annotations

import base64
import binascii
import json

from zeebind.bindings.binding import InvokeRequest
from zeebind.bindings.command import response, rpc
from zeebind.bindings.errors import PayloadError
from zeebind.client.gateway import GatewayClient
from zeebind.gateway.protocol import pb

NAME = "deploy-resource"
ALIAS = "deploy-process"


def _metadata(request: InvokeRequest, name: str) -> str:
    for key, value in request.metadata.items():
        if key == name or key.casefold() == name.casefold():
            return value
    return ""


def content(request: InvokeRequest) -> bytes:
    data = request.data
    if data.lstrip()[:1] == b'"':
        try:
            text = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise PayloadError(f"cannot parse data: a JSON string was expected: {err}") from None
        data = text.encode() if isinstance(text, str) else data
    encoding = _metadata(request, "encoding").strip().lower()
    if encoding == "base64":
        try:
            data = base64.b64decode(data, validate=False)
        except (binascii.Error, ValueError):
            raise PayloadError(
                "cannot decode data: metadata encoding is base64 but data is not"
            ) from None
    elif encoding not in ("", "utf-8", "utf8", "raw"):
        raise PayloadError(f"unsupported encoding '{encoding}' (use base64, or leave it out)")
    if not data:
        raise PayloadError("data is a required attribute: the content of the resource")
    return data


async def invoke(client: GatewayClient, request: InvokeRequest) -> bytes:
    file_name = _metadata(request, "fileName")
    if not file_name:
        raise PayloadError("fileName is a required attribute")
    deploy = pb.DeployResourceRequest(
        resources=[pb.Resource(name=file_name, content=content(request))],
        tenantId=_metadata(request, "tenantId"),
    )
    answer = await rpc.call(
        client,
        "DeployResource",
        deploy,
        context=f"cannot deploy resource with fileName {file_name}",
    )
    return response.render(answer)
