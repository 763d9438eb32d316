#!/usr/bin/env python3
"""Generate the project's GraceTHD model files (gracethd/<version>/model.json) from ../shared/gracethd/.

The engine reads the model as data: tables, columns (type, length, nullability, uniqueness, key, list, foreign
key, shapefile field name, short French label) and value lists (codes and short labels). Adding a column or a list
value is a change to the generated file, never to Rust code.

Usage: python3 scripts/gen_gracethd_model.py [--shared ../shared] [--check]
  --check  exit 1 if the committed files differ from what the script generates (used by the tests).
"""
import argparse
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent

TYPE_RE = re.compile(r"^(VARCHAR|NUMERIC)\((\d+)(?:,(\d+))?\)$")


def short_label(text, limit=100):
    """First sentence of a French definition, cut at a word boundary: enough to name the thing in a report."""
    if not text:
        return ""
    text = " ".join(text.split())
    first = re.split(r"(?<=[.;:])\s", text, maxsplit=1)[0].rstrip(" .;:")
    if len(first) <= limit:
        return first
    cut = first[:limit].rsplit(" ", 1)[0]
    return cut + "…"


def column_type(sql_type):
    """Map a model SQL type to the project's type record."""
    t = sql_type.upper()
    m = TYPE_RE.match(t)
    if m:
        kind, a, b = m.groups()
        if kind == "VARCHAR":
            return {"type": "text", "len": int(a)}
        return {"type": "numeric", "precision": int(a), "scale": int(b or 0)}
    simple = {"INTEGER": "integer", "BIGINT": "bigint", "NUMERIC": "numeric", "BOOLEAN": "boolean",
              "DATE": "date", "TIMESTAMP": "timestamp"}
    if t in simple:
        return {"type": simple[t]}
    raise SystemExit(f"unknown SQL type {sql_type!r}")


def geometry_kind(sql_type):
    m = re.match(r"geometry\((\w+),(\d+)\)", sql_type, re.I)
    if not m:
        raise SystemExit(f"unknown geometry type {sql_type!r}")
    return m.group(1).lower(), int(m.group(2))


def shp_name(col, spec):
    # DBF field names hold at most 10 characters: a longer GraceTHD name is truncated in shapefiles.
    return col[:10] if len(col) > 10 else None


def convert_v2(src):
    model = json.loads((src / "model.json").read_text(encoding="utf-8"))
    tables = []
    for name, t in model["tables"].items():
        geometry = None
        columns = []
        for col, spec in t["columns"].items():
            if spec["type"].lower().startswith("geometry"):
                kind, srid = geometry_kind(spec["type"])
                geometry = {"column": col, "kind": kind, "srid": srid, "nullable": spec["nullable"]}
                continue
            c = {"name": col, **column_type(spec["type"]), "nullable": spec["nullable"]}
            if spec.get("unique"):
                c["unique"] = True
            if spec.get("list"):
                c["list"] = spec["list"]
            elif spec.get("fk"):
                c["references"] = f'{spec["fk"]["table"]}.{spec["fk"]["column"]}'
            dbf = shp_name(col, spec)
            if dbf:
                c["dbf_name"] = dbf
            c["label"] = short_label(spec.get("definition_fr"))
            columns.append(c)
        delivery = t.get("delivery_file") or ""
        tables.append({
            "name": name,
            "label": t.get("class") or name,
            "format": "shapefile" if delivery.endswith(".shp") else "csv",
            "primary_key": t["primary_key"],
            "geometry": geometry,
            "columns": columns,
        })
    lists = []
    for name, lst in model["lists"].items():
        lists.append({
            "name": name,
            "code_len": int(TYPE_RE.match(lst["code_type"].upper()).group(2)) if TYPE_RE.match(lst["code_type"].upper()) else None,
            "values": [{"code": v["code"], "label": v["libelle"]} for v in lst["values"]],
        })
    return {
        "model": "GraceTHD-MCD",
        "version": model["version"],
        "srid": model["srid"],
        "generated_from": "../shared/gracethd/v2.0.1/model.json by scripts/gen_gracethd_model.py",
        "tables": tables,
        "lists": lists,
    }


def render(doc):
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    shared = pathlib.Path(args.shared) / "gracethd"
    outputs = {ROOT / "gracethd" / "v2.0.1" / "model.json": render(convert_v2(shared / "v2.0.1"))}
    stale = []
    for path, text in outputs.items():
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print("stale generated model files (run scripts/gen_gracethd_model.py):", *stale, sep="\n  ")
        sys.exit(1)


if __name__ == "__main__":
    main()
