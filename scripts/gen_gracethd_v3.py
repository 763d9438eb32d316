#!/usr/bin/env python3
"""Generate the project's GraceTHD v3 model file (gracethd/v3/model.json) from ../shared/gracethd/v3/.

The shared v3 material (model.json, lists/*.csv: the v3.0.1 exchange subset as the open-source checker
vlebert/dbt-grace-thd defines it) is the source of truth. The project's own additions live in
scripts/gracethd_v3_source/ (see its README.md): class names, the v2.0.1 table whose French definitions label the
same-named v3 attributes, and the few model facts the checker leaves out (supplements.csv).

Beyond the fields the engine deserializes (crates/thd-model/src/schema.rs), each table and column carries
`levels` (O/C/N obligation per container c1..c4) and `ref_checks` (ids of the reference checker's controls, as in
../shared/gracethd/v3/checks.csv); a column with a conditional obligation carries `condition_fr`.

Usage: python3 scripts/gen_gracethd_v3.py [--shared ../shared] [--check]
  --check  exit 1 if the committed file differs from what the script generates (used by the tests).
"""
import argparse
import csv
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCE = ROOT / "scripts" / "gracethd_v3_source"
OUTPUT = ROOT / "gracethd" / "v3" / "model.json"

sys.dont_write_bytecode = True  # importing the v2 script must leave no __pycache__ in the tree
sys.path.insert(0, str(ROOT / "scripts"))
from gen_gracethd_model import column_type, geometry_kind, short_label  # noqa: E402  (shared with the v2 script)

# What ../shared/gracethd/v3/README.md announces; the generator refuses anything else.
EXPECTED_TABLES = 24
EXPECTED_ATTRIBUTES = 283  # geometry columns included
EXPECTED_LISTS = 44
CONTAINERS = ("C1", "C2", "C3", "C4")
VARCHAR_RE = re.compile(r"^varchar\((\d+)\)$", re.I)


def fail(msg):
    raise SystemExit(f"gen_gracethd_v3: {msg}")


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def levels(req, where):
    if set(req) != set(CONTAINERS) or any(v not in ("O", "C", "N") for v in req.values()):
        fail(f"{where}: obligation is not O/C/N for each of C1..C4: {req}")
    return {c.lower(): req[c] for c in CONTAINERS}


def load_lists(src, names):
    lists = {}
    for name in names:
        rows = read_csv(src / "lists" / f"{name}.csv")
        codes = [r["code"] for r in rows]
        if not rows or len(set(codes)) != len(codes) or any(not c for c in codes):
            fail(f"list {name}: empty, blank or duplicate codes")
        lists[name] = [{"code": r["code"], "label": r["libelle"].strip()} for r in rows]
    return lists


def load_supplements(columns_by_key):
    out = {}
    for row in read_csv(SOURCE / "supplements.csv"):
        key = (row["table"], row["column"])
        spec = columns_by_key.get(key)
        if spec is None:
            fail(f"supplements.csv: {key[0]}.{key[1]} is not an attribute of the v3 model")
        field, value = row["field"], row["value"]
        if field == "list":
            present = (spec.get("list") or {}).get("table")
        elif field == "references":
            fk = spec.get("fk")
            present = f'{fk["table"]}.{fk["column"]}' if fk else None
        else:
            fail(f"supplements.csv: unknown field {field!r}")
        if present is not None:
            fail(f"supplements.csv: the shared model already gives {key[0]}.{key[1]} {field} {present}: drop the line")
        if not row["reason"].strip():
            fail(f"supplements.csv: {key[0]}.{key[1]} has no reason")
        out.setdefault(key, {})[field] = value
    return out


def convert_v3(shared):
    src = shared / "gracethd" / "v3"
    model = json.loads((src / "model.json").read_text(encoding="utf-8"))
    v2 = json.loads((shared / "gracethd" / "v2.0.1" / "model.json").read_text(encoding="utf-8"))["tables"]
    sources = {r["table"]: r for r in read_csv(SOURCE / "tables.csv")}

    if len(model["tables"]) != EXPECTED_TABLES or set(sources) != set(model["tables"]):
        fail(f"tables.csv and the shared model must both list the {EXPECTED_TABLES} tables")
    lists = load_lists(src, model["lists"])
    if len(lists) != EXPECTED_LISTS:
        fail(f"expected {EXPECTED_LISTS} lists, found {len(lists)}")
    spatial = set(model["delivery_format"]["geometric_tables"])

    columns_by_key = {(t, c["name"]): c for t, spec in model["tables"].items() for c in spec["columns"]}
    if len(columns_by_key) != EXPECTED_ATTRIBUTES:
        fail(f"expected {EXPECTED_ATTRIBUTES} attributes, found {len(columns_by_key)}")
    supplements = load_supplements(columns_by_key)

    tables = []
    list_types = {}
    for name in sorted(model["tables"]):
        spec = model["tables"][name]
        source = sources[name]
        v2_table = v2.get(source["v2_table"]) if source["v2_table"] else None
        if source["v2_table"] and v2_table is None:
            fail(f"tables.csv: {name}: no v2.0.1 table {source['v2_table']}")
        label = source["label"] or (v2_table or {}).get("class")
        if not label:
            fail(f"tables.csv: {name} needs a label")
        v2_columns = (v2_table or {}).get("columns", {})
        pk = spec["primary_key"]
        pk = [pk] if isinstance(pk, str) else list(pk)

        geometry = None
        columns = []
        for col in spec["columns"]:
            cname = col["name"]
            where = f"{name}.{cname}"
            if col["type"].lower().startswith("geometry"):
                kind, srid = geometry_kind(col["type"])
                g = spec.get("geometry") or {}
                if geometry or g.get("column") != cname or g.get("type", "").lower() != kind or g.get("srid") != srid:
                    fail(f"{where}: geometry column disagrees with the table's geometry {g}")
                geometry = {"column": cname, "kind": kind, "srid": srid, "nullable": False}
                continue
            c = {"name": cname, **column_type(col["type"]), "nullable": cname not in pk}
            if col.get("unique"):
                c["unique"] = True
            extra = supplements.get((name, cname), {})
            lst = (col.get("list") or {}).get("table") or extra.get("list")
            if lst:
                if lst not in lists:
                    fail(f"{where}: unknown list {lst}")
                c["list"] = lst
                list_types.setdefault(lst, set()).add(col["type"].lower())
            fk = col.get("fk")
            ref = f'{fk["table"]}.{fk["column"]}' if fk else extra.get("references")
            if ref:
                c["references"] = ref
            if len(cname) > 10:
                c["dbf_name"] = cname[:10]
            c["label"] = short_label((v2_columns.get(cname) or {}).get("definition_fr"))
            c["levels"] = levels(col["requirement"], where)
            if col.get("conditional_rule_fr"):
                c["condition_fr"] = " ".join(col["conditional_rule_fr"].split())
            checks = [col.get("mandatory_check"), col.get("type_check"), col.get("conditional_check"),
                      (col.get("list") or {}).get("check"), (fk or {}).get("check"),
                      (col.get("unique") or {}).get("check")]
            c["ref_checks"] = sorted(x for x in checks if x)
            columns.append(c)

        if (geometry is not None) != (name in spatial):
            fail(f"{name}: geometry and delivery format disagree")
        names = {c["name"] for c in columns}
        if not pk or any(k not in names for k in pk):
            fail(f"{name}: primary key {pk} is not made of its columns")
        tables.append({
            "name": name,
            "label": label,
            "format": "shapefile" if geometry else "csv",
            "primary_key": pk,
            "geometry": geometry,
            "columns": columns,
            "levels": levels(spec["presence"], name),
            "ref_checks": [spec["presence_check"]] if spec.get("presence_check") else [],
        })

    columns_of = {t["name"]: {c["name"] for c in t["columns"]} for t in tables}
    for t in tables:
        for c in t["columns"]:
            if "references" in c:
                rt, _, rc = c["references"].partition(".")
                if rc not in columns_of.get(rt, ()):
                    fail(f'{t["name"]}.{c["name"]}: reference {c["references"]} is not a column of the model')

    out_lists = []
    for name, values in lists.items():
        entry = {"name": name}
        # The length of the list's codes, when every attribute using the list agrees on one varchar length.
        types = list_types.get(name, set())
        lens = {int(m.group(1)) for m in (VARCHAR_RE.match(t) for t in types) if m}
        if len(types) == 1 and len(lens) == 1:
            (n,) = lens
            if any(len(v["code"]) > n for v in values):
                fail(f"list {name}: a code is longer than its attributes ({n})")
            entry["code_len"] = n
        entry["values"] = values
        out_lists.append(entry)

    return {
        "model": "GraceTHD",
        "version": "3.0.1",
        "srid": model["srid"],
        "generated_from": "../shared/gracethd/v3/ (model.json, lists/) + scripts/gracethd_v3_source/ "
                          "by scripts/gen_gracethd_v3.py",
        "containers": {c.lower(): model["containers"][c] for c in CONTAINERS},
        "tables": tables,
        "lists": out_lists,
    }


def render(doc):
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    text = render(convert_v3(pathlib.Path(args.shared)))
    if args.check:
        if not OUTPUT.exists() or OUTPUT.read_text(encoding="utf-8") != text:
            print(f"stale generated model file (run scripts/gen_gracethd_v3.py):\n  {OUTPUT}")
            sys.exit(1)
        return
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
