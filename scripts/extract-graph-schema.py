#!/usr/bin/env python3
"""Extracts the part of Microsoft Graph's published v1.0 CSDL that the training tenant serves
into tests/fixtures/graph-schema-v1.0-subset.json (read by the training tenant's
`graph_schema` test).

Source: microsoftgraph/msgraph-metadata, clean_v10_metadata/cleanMetadata.xml (the metadata
Microsoft generates its Graph SDKs from). Usage:

    scripts/extract-graph-schema.py path/to/cleanMetadata.xml <commit> > tests/fixtures/graph-schema-v1.0-subset.json

Starting from the entity types below, it keeps their base types and every complex and enum type
their structural properties use (navigation properties are listed by name only)."""

import json
import sys
import xml.etree.ElementTree as ET

ROOTS = ["user", "provisioningObjectSummary", "synchronizationJob"]
EDM = "{http://docs.oasis-open.org/odata/ns/edm}"


def local(name):
    return name.split(".", 1)[1] if name.startswith("graph.") else name


def main(path, commit):
    schema = ET.parse(path).getroot().find(f".//{EDM}Schema")
    by_kind = {kind: {el.get("Name"): el for el in schema.findall(f"{EDM}{kind}")}
               for kind in ("EntityType", "ComplexType", "EnumType")}
    out = {
        "source": {
            "repository": "microsoftgraph/msgraph-metadata",
            "path": "clean_v10_metadata/cleanMetadata.xml",
            "commit": commit,
        },
        "entityTypes": {},
        "complexTypes": {},
        "enumTypes": {},
    }
    pending = [("EntityType", r) for r in ROOTS]
    while pending:
        kind, name = pending.pop()
        key = {"EntityType": "entityTypes", "ComplexType": "complexTypes", "EnumType": "enumTypes"}[kind]
        if name in out[key]:
            continue
        el = by_kind[kind][name]
        if kind == "EnumType":
            out[key][name] = {
                "flags": el.get("IsFlags") == "true",
                "members": [m.get("Name") for m in el.findall(f"{EDM}Member")],
            }
            continue
        entry = {
            "baseType": local(el.get("BaseType")) if el.get("BaseType") else None,
            "openType": el.get("OpenType") == "true",
            "properties": {},
        }
        if entry["baseType"]:
            pending.append((kind, entry["baseType"]))
        for prop in el.findall(f"{EDM}Property"):
            declared = prop.get("Type")
            collection = declared.startswith("Collection(")
            inner = declared[len("Collection("):-1] if collection else declared
            entry["properties"][prop.get("Name")] = {
                "type": local(inner),
                "collection": collection,
                "nullable": prop.get("Nullable") != "false",
            }
            if inner.startswith("graph."):
                target = local(inner)
                for k in ("ComplexType", "EnumType"):
                    if target in by_kind[k]:
                        pending.append((k, target))
        if kind == "EntityType":
            entry["navigationProperties"] = [n.get("Name") for n in el.findall(f"{EDM}NavigationProperty")]
        out[key][name] = entry
    for key in ("entityTypes", "complexTypes", "enumTypes"):
        out[key] = dict(sorted(out[key].items()))
    json.dump(out, sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
