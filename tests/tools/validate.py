#!/usr/bin/env python3
"""validate.py SCHEMA DOCUMENT: checks a JSON document against one of
benchgate's JSON Schemas (schemas/), resolving $refs between them locally.
Exits 0 when valid, 1 with the first error otherwise. Used by the tests so
that the schemas stay true to what benchgate writes."""
import glob
import json
import os
import sys
import warnings

import jsonschema

warnings.simplefilter("ignore", DeprecationWarning)  # RefResolver: kept for Debian 12's jsonschema


def main():
    schema_path, doc_path = sys.argv[1], sys.argv[2]
    top = os.path.dirname(os.path.abspath(schema_path))
    while os.path.basename(top) != "schemas":
        top = os.path.dirname(top)
    store = {}
    for f in glob.glob(os.path.join(top, "**", "*.json"), recursive=True):
        with open(f) as fh:
            s = json.load(fh)
        if "$id" in s:
            store[s["$id"]] = s
    with open(schema_path) as fh:
        schema = json.load(fh)
    with open(doc_path) as fh:
        doc = json.load(fh)
    resolver = jsonschema.RefResolver.from_schema(schema, store=store)
    cls = jsonschema.validators.validator_for(schema)
    errors = sorted(cls(schema, resolver=resolver).iter_errors(doc), key=lambda e: list(e.path))
    if errors:
        e = errors[0]
        print("%s: %s at %s" % (doc_path, e.message, "/".join(map(str, e.path))), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
