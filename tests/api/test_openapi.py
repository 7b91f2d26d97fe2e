"""The published API description matches how the API answers."""

from __future__ import annotations


def test_every_error_is_documented_as_a_problem_document(client):
    schema = client.get("/openapi.json").json()

    assert "HTTPValidationError" not in str(schema)
    problem = schema["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "field"} <= set(problem["properties"])
    for path, operations in schema["paths"].items():
        if path == "/readyz":  # its 503 is its own JSON document, with the failed checks
            assert list(operations["get"]["responses"]["503"]["content"]) == ["application/json"]
            continue
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                if code.startswith(("4", "5")):
                    assert list(response["content"]) == ["application/problem+json"], (
                        method,
                        path,
                        code,
                    )
    publish = schema["paths"]["/api/v1/plans/{plan_id}/publish"]["post"]["responses"]
    assert {"401", "403", "409", "422"} <= set(publish)
    assert "401" not in schema["paths"]["/healthz"]["get"]["responses"]


def test_request_bodies_carry_examples(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for name in ("OptimizationIn", "CheckInIn", "CheckOutIn", "LocationIn", "TicketCreate"):
        assert schemas[name].get("examples"), name
