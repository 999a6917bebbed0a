"""The OpenAPI 3 document of the Operate API, generated from the entity tables."""

from __future__ import annotations

from functools import cache
from typing import Any

from zeebind.operate.queries import DEFAULT_SIZE, MAX_SIZE
from zeebind.operate.schemas import ENTITIES, Entity, Field, Kind

_ERROR = {"$ref": "#/components/schemas/Error"}
_TITLES = {
    "process-definitions": "ProcessDefinition",
    "process-instances": "ProcessInstance",
    "flownode-instances": "FlowNodeInstance",
    "variables": "Variable",
    "incidents": "Incident",
    "decision-definitions": "DecisionDefinition",
    "decision-instances": "DecisionInstance",
    "drd": "DecisionRequirements",
}


def _property(f: Field) -> dict[str, Any]:
    if f.kind in (Kind.INT64, Kind.INT32):
        return {"type": "integer", "format": str(f.kind)}
    if f.kind is Kind.BOOLEAN:
        return {"type": "boolean"}
    if f.kind is Kind.DATE:
        return {"type": "string", "example": "2023-03-21T08:25:04.499+0000"}
    if f.kind is Kind.ENUM:
        return {"type": "string", "enum": list(f.values)}
    if f.kind is Kind.JSON:
        return {"type": "array", "items": {"type": "object"}}
    return {"type": "string"}


def _schema(entity: Entity) -> dict[str, Any]:
    return {"type": "object", "properties": {f.name: _property(f) for f in entity.fields}}


def _responses(ok: dict[str, Any], media: str = "application/json") -> dict[str, Any]:
    responses: dict[str, Any] = {"200": {"description": "OK", "content": {media: {"schema": ok}}}}
    for code, text in (
        ("400", "Invalid request"),
        ("403", "Forbidden"),
        ("404", "Not found"),
        ("500", "Server error"),
    ):
        responses[code] = {
            "description": text,
            "content": {"application/problem+json": {"schema": _ERROR}},
        }
    return responses


def _paths(path: str, title: str) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{title}"}
    key_name = "id" if path == "decision-instances" else "key"
    key_schema = {"type": "string"} if key_name == "id" else {"type": "integer", "format": "int64"}
    return {
        f"/v1/{path}/search": {
            "post": {
                "tags": [title],
                "summary": f"Search {title} entities",
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {"$ref": f"#/components/schemas/Query{title}"}
                        }
                    }
                },
                "responses": _responses({"$ref": f"#/components/schemas/Results{title}"}),
            }
        },
        f"/v1/{path}/{{{key_name}}}": {
            "get": {
                "tags": [title],
                "summary": f"Get a {title} by {key_name}",
                "parameters": [
                    {"name": key_name, "in": "path", "required": True, "schema": key_schema}
                ],
                "responses": _responses(ref),
            }
        },
    }


@cache
def document() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {
        "Error": {
            "type": "object",
            "properties": {
                "status": {"type": "integer", "format": "int32"},
                "message": {"type": "string"},
                "instance": {"type": "string"},
                "type": {"type": "string"},
            },
        },
        "ChangeStatus": {
            "type": "object",
            "properties": {
                "message": {"type": "string"},
                "deleted": {"type": "integer", "format": "int64"},
            },
        },
        "FlowNodeStatistics": {
            "type": "object",
            "properties": {
                "activityId": {"type": "string"},
                **{
                    name: {"type": "integer", "format": "int64"}
                    for name in ("active", "canceled", "incidents", "completed")
                },
            },
        },
    }
    for path, entity in ENTITIES.items():
        title = _TITLES[path]
        paths.update(_paths(path, title))
        schemas[title] = _schema(entity)
        schemas[f"Query{title}"] = {
            "type": "object",
            "properties": {
                "filter": {"$ref": f"#/components/schemas/{title}"},
                "size": {
                    "type": "integer",
                    "format": "int32",
                    "default": DEFAULT_SIZE,
                    "minimum": 1,
                    "maximum": MAX_SIZE,
                },
                "sort": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "field": {"type": "string"},
                            "order": {"type": "string", "enum": ["ASC", "DESC"]},
                        },
                    },
                },
                "searchAfter": {"type": "array", "items": {}},
            },
        }
        schemas[f"Results{title}"] = {
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{title}"}},
                "sortValues": {"type": "array", "items": {}},
                "total": {"type": "integer", "format": "int64"},
            },
        }
    key_param = [
        {
            "name": "key",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "format": "int64"},
        }
    ]
    xml = {"type": "string"}
    paths["/v1/process-definitions/{key}/xml"] = {
        "get": {
            "tags": ["ProcessDefinition"],
            "summary": "The BPMN XML of a process definition",
            "parameters": key_param,
            "responses": _responses(xml, "text/xml"),
        }
    }
    paths["/v1/drd/{key}/xml"] = {
        "get": {
            "tags": ["DecisionRequirements"],
            "summary": "The DMN XML of a DRD",
            "parameters": key_param,
            "responses": _responses(xml, "text/xml"),
        }
    }
    paths["/v1/process-instances/{key}"]["delete"] = {
        "tags": ["ProcessInstance"],
        "summary": "Delete a finished process instance and its dependant data",
        "parameters": key_param,
        "responses": _responses({"$ref": "#/components/schemas/ChangeStatus"}),
    }
    paths["/v1/process-instances/{key}/statistics"] = {
        "get": {
            "tags": ["ProcessInstance"],
            "summary": "Flow node statistics of an instance",
            "parameters": key_param,
            "responses": _responses(
                {"type": "array", "items": {"$ref": "#/components/schemas/FlowNodeStatistics"}}
            ),
        }
    }
    paths["/v1/process-instances/{key}/sequence-flows"] = {
        "get": {
            "tags": ["ProcessInstance"],
            "summary": "Sequence flows taken by an instance",
            "parameters": key_param,
            "responses": _responses({"type": "array", "items": {"type": "string"}}),
        }
    }
    return {
        "openapi": "3.0.1",
        "info": {
            "title": "Operate Public API (zeebind)",
            "version": "1.0.0",
            "description": "Camunda Operate REST API v1 served by zeebind's read model.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer-key": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
        "security": [{"bearer-key": []}],
    }
