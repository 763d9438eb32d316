#!/usr/bin/env python3
"""Generate the project's control catalogue (gracethd/v2.0.1/controls.json) from ../shared/gracethd/v2.0.1/checks.csv.

The checks crate (crates/thd-check) reads this file: the table grid (which tables a phase requires), the filling grid (which attribute is mandatory at which
phase), the reference checker's alphanumeric, geometry and business controls with their ids, severities and
French/English wording, the model's normative rules, and the families of controls the model's DDL enforces at load
time (types, lists, keys, references, geometries), which the decoder reports. Adding a control to the grid or
changing its wording is a change to this generated file, never to Rust code.

Usage: python3 scripts/gen_gracethd_controls.py [--shared ../shared] [--check]
  --check  exit 1 if the committed file differs from what the script generates (used by the tests).
"""
import argparse
import csv
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
PHASES = ["PRE", "DIA", "AVP", "PRO", "ACT", "EXE", "TVX", "REC", "MCO"]


def grid(row):
    """The obligation letters of a control, one per phase in PHASES order (O, C, F, N; '-' where unset)."""
    return "".join((row[f"phase_{p.lower()}"] or "-") for p in PHASES)


def build(shared):
    rows = list(csv.DictReader(open(shared / "gracethd/v2.0.1/checks.csv", encoding="utf-8")))
    filling, controls, normative = [], [], []
    ddl = {}
    for r in rows:
        source = r["source"]
        if source.startswith("GraceTHD-Check v0"):
            entry = {
                "id": r["id"],
                "kind": r["type_code"],
                "table": r["table"],
                "attribute": r["attribute"],
                "severity": int(r["severity"]),
                "fr": " ".join(r["description_fr"].split()),
                "en": " ".join(r["description_en"].split()),
                "grid": grid(r),
            }
            if r["type_code"] == "R":
                filling.append(entry)
            else:
                entry["implemented"] = r["implemented"] == "yes"
                controls.append(entry)
        elif source.startswith("GraceTHD-MCD DDL"):
            family = r["id"].split("_t_")[0] if "_t_" in r["id"] else r["id"].rsplit("_", 1)[0]
            fam = ddl.setdefault(family, {"family": family, "category": r["category"], "count": 0, "example": r["id"]})
            fam["count"] += 1
        elif source.startswith("GraceTHD-MCD v2.0.1 doc"):
            normative.append({
                "id": r["id"],
                "kind": r["type_code"],
                "category": r["category"],
                "table": r["table"],
                "en": " ".join(r["description_en"].split()),
                "implemented": r["implemented"],
            })
        elif r["id"] == "shpcsv_checkatt":
            normative.append({
                "id": r["id"],
                "kind": r["type_code"],
                "category": r["category"],
                "table": "",
                "en": " ".join(r["description_en"].split()),
                "implemented": r["implemented"],
            })
    # The table grid (t_ct_conf_filltab): which tables a delivery must contain at each phase.
    tables = []
    grid_path = shared / "gracethd/v2.0.1/gracethd-check/t_ct_conf_filltab_psql.csv"
    for r in csv.DictReader(open(grid_path, encoding="utf-8"), delimiter=";"):
        letter = lambda v: (v or "").strip() or "-"
        by_phase = {
            "PRE": r["pre"], "DIA": r["dia"], "AVP": r["avp"], "PRO": r["pro_ou_act"], "ACT": r["pro_ou_act"],
            "EXE": r["exe"], "TVX": r["tvx_ou_rec"], "REC": r["tvx_ou_rec"], "MCO": r["mco"],
        }
        tables.append({"table": r["nomtable"], "grid": "".join(letter(by_phase[p]) for p in PHASES)})
    return {
        "generated_by": "scripts/gen_gracethd_controls.py from ../shared/gracethd/v2.0.1/checks.csv",
        "version": "2.0.1",
        "phases": PHASES,
        "severities": {"1": "blocking", "2": "invalid", "3": "to_fix", "4": "informative"},
        "tables": tables,
        "filling": filling,
        "controls": controls,
        "normative": normative,
        "ddl": sorted(ddl.values(), key=lambda f: f["family"]),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    out = ROOT / "gracethd/v2.0.1/controls.json"
    text = json.dumps(build(pathlib.Path(args.shared)), ensure_ascii=False, indent=1) + "\n"
    if args.check:
        if not out.exists() or out.read_text(encoding="utf-8") != text:
            print(f"{out} is stale: run python3 scripts/gen_gracethd_controls.py", file=sys.stderr)
            sys.exit(1)
        return
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
