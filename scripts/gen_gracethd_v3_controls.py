#!/usr/bin/env python3
"""Generate the project's GraceTHD v3 control catalogue (gracethd/v3/controls.json) from ../shared/gracethd/v3/.

Sources: checks.csv (the 782 controls of the open-source v3 checker dbt-grace-thd: ids, families, descriptions,
containers, default criticité) and model.json (per table and attribute, the O/C/N flag at each container C1-C4,
which control covers it, and whether the generic filling check is active).

The checks crate (crates/thd-check, module v3) reads this file through thd_model::catalogue::V3Catalogue:
  tables    one presence control (ctrl_pt_*) per table with its flag per container ("OOOO", "NOOO"...);
  filling   one filling control (ctrl_rem_*) per attribute with its flags per container and whether the checker
            runs it (actif=false for purely conditional attributes: their C flag is handled by ctrl_rc_*);
  controls  every concrete control (generic, conditional, topology, business) with its family, tables,
            description, the containers where it runs, whether it is active, and its criticité;
  families  the checker's family-level rules (rows `ctrl_pt_*`, `topo_*`...), for the coverage document.

Criticité: the checker's levels are bloquante, majeure, mineure and info (grace_criticite_defaut is mineure, an
operator overrides per id or family pattern). The engine maps bloquante -> critical (the delivery cannot be
used), majeure -> error (must be fixed before acceptance), mineure -> warning (to review, does not block
acceptance), info -> info. Every control of checks.csv carries the package default, mineure, so every v3 control
defaults to warning; an operator who wants the checker's stricter profile raises them in the check
configuration ("ctrl_rem_*" = { severity = "error" }).

Usage: python3 scripts/gen_gracethd_v3_controls.py [--shared ../shared] [--check]
  --check  exit 1 if the committed file differs from what the script generates (used by the tests).
"""
import argparse
import csv
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "gracethd" / "v3" / "controls.json"
CONTAINERS = ("C1", "C2", "C3", "C4")
SEVERITIES = {"bloquante": "critical", "majeure": "error", "mineure": "warning", "info": "info"}
FAMILIES = {
    "ctrl_pt": "presence",
    "ctrl_rem": "filling",
    "ctrl_uc": "uniqueness",
    "ctrl_fk": "foreign_key",
    "ctrl_lv": "list",
    "ctrl_type": "type",
    "ctrl_rc": "conditional",
    "topo": "topology",
    "metier": "business",
}
EXPECTED = {"total": 782, "ctrl_rc": 38, "topo": 13, "metier": 20, "ctrl_pt": 24, "ctrl_rem": 283}
ATTRIBUTE_RE = re.compile(r"\b(t_[a-z_]+)\.([a-z0-9_]+)\b")


def fail(msg):
    raise SystemExit(f"gen_gracethd_v3_controls: {msg}")


def flags(levels):
    """The O/C/N flags of a table or attribute, one letter per container in CONTAINERS order."""
    return "".join(levels.get(c) or "-" for c in CONTAINERS)


def stages(text):
    """The containers where a control runs, as a flag string: 'x' runs, '-' does not."""
    if text.startswith("all"):
        return "xxxx"
    if text.startswith("none"):
        return "----"
    named = set(re.findall(r"C[1-4]", text))
    return "".join("x" if c in named else "-" for c in CONTAINERS)


def severity(text):
    word = text.split()[0]
    if word not in SEVERITIES:
        fail(f"unknown criticité {word!r}")
    return word


def build(shared):
    base = shared / "gracethd" / "v3"
    rows = list(csv.DictReader(open(base / "checks.csv", encoding="utf-8")))
    model = json.load(open(base / "model.json", encoding="utf-8"))
    if len(rows) != EXPECTED["total"]:
        fail(f"{len(rows)} rows in checks.csv, expected {EXPECTED['total']}")

    tables, filling = [], []
    by_attribute = {}
    for name, table in model["tables"].items():
        tables.append({"id": table["presence_check"], "table": name, "presence": flags(table["presence"])})
        for column in table["columns"]:
            by_attribute[(name, column["name"])] = column

    controls, families = [], []
    for r in rows:
        prefix = r["id"].rsplit("_", 1)[0]
        if r["id"].endswith("*"):
            families.append({
                "pattern": r["id"],
                "family": FAMILIES[r["id"][:-2]],
                "description": " ".join(r["description"].split()),
            })
            continue
        family = FAMILIES.get(prefix) or fail(f"unknown family of {r['id']}")
        description = " ".join(r["description"].split())
        run = stages(r["stages"])
        active = run != "----" and "disabled" not in r["stages"]
        listed = [t for t in re.split(r"[,\s>-]+", r["tables"]) if t.startswith("t_")]
        entry = {
            "id": r["id"],
            "family": family,
            "tables": listed,
            "description": description,
            "containers": run,
            "active": active,
            "severity": severity(r["default_severity"]),
        }
        if family in ("filling", "uniqueness", "list", "type", "foreign_key", "conditional"):
            match = ATTRIBUTE_RE.search(description)
            if not match:
                fail(f"no table.attribute in the description of {r['id']}")
            entry["attribute"] = match.group(2)
            if family == "filling":
                column = by_attribute.get((match.group(1), match.group(2))) or fail(f"{r['id']}: unknown attribute")
                filling.append({
                    "id": r["id"],
                    "table": match.group(1),
                    "attribute": match.group(2),
                    "levels": flags(column["requirement"]),
                    "active": column.get("mandatory_check") == r["id"],
                    "conditional_check": column.get("conditional_check"),
                    "condition_fr": column.get("conditional_rule_fr"),
                })
        controls.append(entry)

    for family, count in EXPECTED.items():
        if family != "total" and sum(1 for c in controls if c["id"].rsplit("_", 1)[0] == family) != count:
            fail(f"expected {count} {family} controls")
    return {
        "generated_by": "scripts/gen_gracethd_v3_controls.py from ../shared/gracethd/v3/ (checks.csv, model.json)",
        "version": "3.0.1",
        "checker": model["source"]["repo"] + " " + model["source"]["package_version"],
        "containers": list(CONTAINERS),
        "severities": SEVERITIES,
        "tables": tables,
        "filling": filling,
        "controls": controls,
        "families": families,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = json.dumps(build(pathlib.Path(args.shared)), ensure_ascii=False, indent=1) + "\n"
    if args.check:
        if not OUTPUT.exists() or OUTPUT.read_text(encoding="utf-8") != text:
            print(f"{OUTPUT} is stale: run python3 scripts/gen_gracethd_v3_controls.py", file=sys.stderr)
            sys.exit(1)
        return
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
