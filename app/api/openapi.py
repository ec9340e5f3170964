"""The OpenAPI document of the local API."""

from __future__ import annotations

from typing import Any

_ERROR = {"$ref": "#/components/schemas/Error"}
_ID = {"type": "integer", "minimum": 1, "maximum": 2**53}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    text = {
        400: "Bad input",
        401: "Missing or wrong token",
        403: "Refused Host or Origin",
        404: "Unknown id",
        409: "Not cancellable, or already in the trash",
        413: "Body too large",
    }
    return {str(c): {"description": text[c], **_json(_ERROR)} for c in (401, 403, *codes)}


def openapi_document(version: str) -> dict[str, Any]:
    task_ref = {"$ref": "#/components/schemas/Task"}
    tasks = {"type": "array", "items": task_ref}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Folio local API",
            "version": version,
            "description": "The task system of a running Folio, on this computer only.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/tasks": {
                "get": {
                    "summary": "Active tasks, or the whole history with all=1, a page at a time"
                    " (limit, default 1000, and offset; X-Next-Offset when more follow)",
                    "parameters": [
                        {
                            "name": "status",
                            "in": "query",
                            "schema": {"$ref": "#/components/schemas/Status"},
                        },
                        {
                            "name": "all",
                            "in": "query",
                            "schema": {"type": "string", "enum": ["0", "1"]},
                        },
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 10000},
                        },
                        {
                            "name": "offset",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 0},
                        },
                    ],
                    "responses": {"200": {"description": "Tasks", **_json(tasks)}, **_errors(400)},
                },
                "delete": {
                    "summary": "Cancel many tasks, or all active ones",
                    "requestBody": {
                        "required": True,
                        **_json(
                            {
                                "type": "object",
                                "properties": {
                                    "ids": {"type": "array", "items": _ID, "maxItems": 100000},
                                    "all": {"type": "boolean"},
                                },
                                "additionalProperties": False,
                            }
                        ),
                    },
                    "responses": {
                        "200": {
                            "description": "What was cancelled",
                            **_json({"$ref": "#/components/schemas/CancelOutcome"}),
                        },
                        **_errors(400, 413),
                    },
                },
            },
            "/api/v1/tasks/{task_id}": {
                "parameters": [{"name": "task_id", "in": "path", "required": True, "schema": _ID}],
                "get": {
                    "summary": "One task",
                    "responses": {
                        "200": {"description": "The task", **_json(task_ref)},
                        **_errors(400, 404),
                    },
                },
                "delete": {
                    "summary": "Cancel one task",
                    "responses": {
                        "200": {"description": "The cancelled task", **_json(task_ref)},
                        **_errors(400, 404, 409),
                    },
                },
            },
            "/api/v1/sources": {
                "get": {
                    "summary": "The documents in the library, newest first (none in the trash),"
                    " a page at a time",
                    "parameters": [
                        {
                            "name": "collection",
                            "in": "query",
                            "description": "only the documents in the collection of this name",
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 10000},
                        },
                        {
                            "name": "offset",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 0},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "Sources",
                            **_json(
                                {"type": "array", "items": {"$ref": "#/components/schemas/Source"}}
                            ),
                        },
                        **_errors(404),
                    },
                },
                "post": {
                    "summary": "Import a file or folder on this computer",
                    "requestBody": {
                        "required": True,
                        **_json(
                            {
                                "type": "object",
                                "required": ["path"],
                                "properties": {"path": {"type": "string", "minLength": 1}},
                                "additionalProperties": False,
                            }
                        ),
                    },
                    "responses": {
                        "202": {"description": "Import tasks queued", **_json(tasks)},
                        **_errors(400, 404, 413),
                    },
                },
            },
            "/api/v1/sources/{source_id}": {
                "parameters": [
                    {"name": "source_id", "in": "path", "required": True, "schema": _ID}
                ],
                "delete": {
                    "summary": "Move a document to the trash (its waiting pages are not read;"
                    " restore or empty the trash in the window or with folio trash)",
                    "responses": {
                        "200": {
                            "description": "The document, with trashedAt",
                            **_json({"$ref": "#/components/schemas/Source"}),
                        },
                        **_errors(400, 404, 409),
                    },
                },
            },
            "/api/v1/sources/{source_id}/pages": {
                "parameters": [
                    {"name": "source_id", "in": "path", "required": True, "schema": _ID}
                ],
                "get": {
                    "summary": "The pages of a source, with their text",
                    "responses": {
                        "200": {
                            "description": "Pages",
                            **_json(
                                {"type": "array", "items": {"$ref": "#/components/schemas/Page"}}
                            ),
                        },
                        **_errors(400, 404),
                    },
                },
            },
            "/api/v1/search": {
                "get": {
                    "summary": "Full-text search over all pages (none in the trash), best first,"
                    " a page at a time"
                    ' (words, "phrase", OR, -word, prefix*; limit, default 1000, and offset;'
                    " X-Next-Offset when more follow; X-Total-Pages and X-Total-Documents count"
                    " every match)",
                    "parameters": [
                        {
                            "name": "q",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "collection",
                            "in": "query",
                            "description": "only the documents in the collection of this name",
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": 10000},
                        },
                        {
                            "name": "offset",
                            "in": "query",
                            "schema": {"type": "integer", "minimum": 0},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "Hits",
                            **_json(
                                {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}}
                            ),
                        },
                        **_errors(400),
                    },
                },
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {"type": "string"}},
                },
                "Status": {
                    "type": "string",
                    "enum": ["pending", "in_progress", "completed", "failed", "cancelled"],
                },
                "Task": {
                    "type": "object",
                    "required": ["id", "taskType", "status", "scheduledAt", "canCancel"],
                    "properties": {
                        "id": {"type": "integer"},
                        "taskType": {"type": "string", "enum": ["import", "text_extraction"]},
                        "status": {"$ref": "#/components/schemas/Status"},
                        "sourceId": {"type": "integer", "nullable": True},
                        "pageId": {"type": "integer", "nullable": True},
                        "scheduledAt": {"type": "string", "format": "date-time"},
                        "canCancel": {"type": "boolean"},
                        "priority": {"type": "integer"},
                        "progress": {"type": "number"},
                        "message": {"type": "string"},
                        "startedAt": {"type": "string", "nullable": True},
                        "finishedAt": {"type": "string", "nullable": True},
                        "error": {"type": "string", "nullable": True},
                        "attempt": {"type": "integer"},
                        "retryOf": {"type": "integer", "nullable": True},
                        "sourceName": {"type": "string", "nullable": True},
                        "pageNumber": {"type": "integer", "nullable": True},
                    },
                },
                "CancelOutcome": {
                    "type": "object",
                    "properties": {
                        "cancelled": {"type": "array", "items": {"type": "integer"}},
                        "skipped": {"type": "object", "additionalProperties": {"type": "string"}},
                        "summary": {"type": "string"},
                    },
                },
                "Source": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "name": {"type": "string", "description": "the name shown"},
                        "names": {
                            "type": "array",
                            "items": {"type": "string"},
                            "description": "every name it was imported under, first first",
                        },
                        "pageCount": {"type": "integer"},
                        "title": {"type": "string", "nullable": True},
                        "author": {"type": "string", "nullable": True},
                        "pageWidth": {"type": "number", "nullable": True},
                        "pageHeight": {"type": "number", "nullable": True},
                        "pageSize": {"type": "string", "nullable": True},
                    },
                },
                "Page": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "number": {"type": "integer"},
                        "text": {"type": "string", "nullable": True},
                    },
                },
                "Hit": {
                    "type": "object",
                    "properties": {
                        "pageId": {"type": "integer"},
                        "sourceId": {"type": "integer"},
                        "sourceNames": {"type": "array", "items": {"type": "string"}},
                        "snippet": {"type": "string"},
                    },
                },
            },
        },
    }
