"""The sidecar's HTTP API as an OpenAPI 3.1 document (served at `/v1.0/openapi.json`)."""

from __future__ import annotations

from typing import Any

from zeebind.bindings.command.binding import OPERATIONS

_ERROR = {"$ref": "#/components/schemas/Error"}


def _error_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ERROR}}}


def document() -> dict[str, Any]:
    token: list[dict[str, list[str]]] = [{"daprApiToken": []}, {}]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "zeebind sidecar",
            "version": "1.0",
            "description": "Dapr's output-binding API with the Zeebe command binding "
            "(bindings.zeebe.command). The dapr-api-token header is required when the sidecar "
            "runs with DAPR_API_TOKEN, except on the health endpoints.",
        },
        "paths": {
            "/v1.0/bindings/{name}": {
                "parameters": [
                    {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "post": _invoke(token),
                "put": _invoke(token),
            },
            "/v1.0/healthz": {
                "get": {
                    "summary": "Sidecar health",
                    "parameters": [
                        {
                            "name": "appid",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "204": {"description": "ready"},
                        "500": _error_response(
                            "ERR_HEALTH_NOT_READY or ERR_HEALTH_APPID_NOT_MATCH"
                        ),
                    },
                }
            },
            "/v1.0/healthz/outbound": {
                "get": {
                    "summary": "Bindings initialised (what the Dapr SDKs wait for)",
                    "responses": {
                        "204": {"description": "ready"},
                        "500": _error_response("ERR_OUTBOUND_HEALTH_NOT_READY"),
                    },
                }
            },
            "/v1.0/metadata": {
                "get": {
                    "summary": "Registered components",
                    "security": token,
                    "responses": {
                        "200": {"description": "metadata", "content": {"application/json": {}}}
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "daprApiToken": {"type": "apiKey", "in": "header", "name": "dapr-api-token"}
            },
            "schemas": {
                "InvokeBindingRequest": {
                    "type": "object",
                    "properties": {
                        "operation": {"type": "string", "enum": list(OPERATIONS)},
                        "data": {
                            "description": "The operation's payload: a JSON object, or for "
                            "deploy-resource the file as a string (base64 with metadata "
                            "encoding=base64) or a form as an object."
                        },
                        "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
                    },
                    "required": ["operation"],
                },
                "Error": {
                    "type": "object",
                    "properties": {"errorCode": {"type": "string"}, "message": {"type": "string"}},
                    "required": ["errorCode", "message"],
                },
            },
        },
    }


def _invoke(token: list[dict[str, list[str]]]) -> dict[str, Any]:
    return {
        "summary": "Invoke an output binding",
        "security": token,
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/InvokeBindingRequest"}
                }
            },
        },
        "responses": {
            "200": {
                "description": "The binding's answer as JSON; empty for operations without a body",
                "content": {"application/json": {}},
            },
            "400": _error_response("ERR_MALFORMED_REQUEST: the body is not the expected JSON"),
            "401": _error_response("ERR_UNAUTHORIZED: dapr-api-token missing or wrong"),
            "413": _error_response("ERR_MALFORMED_REQUEST: the body passes the 4 MiB limit"),
            "500": _error_response(
                "ERR_INVOKE_OUTPUT_BINDING: error invoking output binding <name>: …"
            ),
        },
    }
