"""Schemathesis hooks for scripts/schemathesis.sh (loaded through SCHEMATHESIS_HOOKS)."""

import json

import schemathesis


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    """NDJSON bodies are documented as text: send a generated string as it is."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    # Negative tests generate other JSON values; one JSON document is one NDJSON line.
    return json.dumps(value).encode("utf-8")
