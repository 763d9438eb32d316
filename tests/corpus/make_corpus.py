#!/usr/bin/env python3
"""Writes the broken deliveries of tests/corpus/ (one folder per case), deterministically.

Binary files (.shp, .shx, .dbf, .zip) are generated here from readable definitions, so that a reviewer reads what
each case holds in this script rather than in hex dumps. Run it from anywhere; it rewrites every case folder it
owns and nothing else. What each case must give is in README.md and asserted by crates/thd-read/tests/corpus.rs.
"""

import os
import struct
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent

LAMBERT93 = (
    'PROJCS["RGF93 / Lambert-93",GEOGCS["RGF93",DATUM["Reseau_Geodesique_Francais_1993",'
    'SPHEROID["GRS 1980",6378137,298.257222101]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],'
    'PROJECTION["Lambert_Conformal_Conic_2SP"],PARAMETER["standard_parallel_1",49],'
    'PARAMETER["standard_parallel_2",44],PARAMETER["latitude_of_origin",46.5],PARAMETER["central_meridian",3],'
    'PARAMETER["false_easting",700000],PARAMETER["false_northing",6600000],UNIT["metre",1],'
    'AUTHORITY["EPSG","2154"]]'
)
WGS84 = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],'
    'UNIT["degree",0.0174532925199433],AUTHORITY["EPSG","4326"]]'
)

# A few nodes of GraceTHD v2.0.1 `t_noeud`, with the columns every case shares.
NODE_FIELDS = [("nd_code", "C", 14), ("nd_nom", "C", 30), ("nd_type", "C", 2)]
NODES = [
    ("ND000000000001", "Chambre rue du Mail", "PT"),
    ("ND000000000002", "Armoire place de l'Église", "ST"),
    ("ND000000000003", "Poteau chemin Vert", "PT"),
]
POINTS = [(667456.0, 6677769.0), (667462.0, 6677751.0), (667467.5, 6677749.25)]
NODE_CSV_HEADER = "nd_code;nd_codeext;nd_nom;nd_coderat;nd_r1_code;nd_r2_code;nd_r3_code;nd_r4_code;nd_voie;nd_type;nd_type_ep;nd_comment;nd_dtclass;nd_geolqlt;nd_geolmod;nd_geolsrc;nd_creadat;nd_majdate;nd_majsrc;nd_abddate;nd_abdsrc"


def dbf(fields, records, encoding="utf-8", declared_count=None, header_len_delta=0, ldid=0):
    """A dBase III file; `declared_count` and `header_len_delta` make the header lie."""
    record_len = 1 + sum(length for _, _, length in fields)
    header_len = 32 + 32 * len(fields) + 1
    count = len(records) if declared_count is None else declared_count
    out = bytearray(struct.pack("<BBBBIHH", 3, 124, 1, 1, count, header_len + header_len_delta, record_len))
    out += bytes(17) + bytes([ldid]) + bytes(2)
    for name, kind, length in fields:
        out += name.encode("ascii").ljust(11, b"\0") + kind.encode("ascii") + bytes(4)
        out += bytes([length, 0]) + bytes(14)
    out += b"\r"
    for record in records:
        out += b" "
        for (_, _, length), value in zip(fields, record):
            out += value.encode(encoding)[:length].ljust(length, b" ")
    out += b"\x1a"
    return bytes(out)


def shp_points(points):
    """(.shp, .shx) bytes of a Point shapefile."""
    records, index = bytearray(), bytearray()
    offset = 100
    for number, (x, y) in enumerate(points, 1):
        content = struct.pack("<idd", 1, x, y)
        index += struct.pack(">ii", offset // 2, len(content) // 2)
        records += struct.pack(">ii", number, len(content) // 2) + content
        offset += 8 + len(content)
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    bbox = (min(xs), min(ys), max(xs), max(ys)) if points else (0.0, 0.0, 0.0, 0.0)

    def header(length):
        return struct.pack(">i20xi", 9994, length // 2) + struct.pack("<ii4d4d", 1000, 1, *bbox, 0, 0, 0, 0)

    shp = header(100 + len(records)) + bytes(records)
    shx = header(100 + len(index)) + bytes(index)
    return shp, shx


def node_records():
    return [list(node) for node in NODES]


def write(case, name, content):
    path = ROOT / case / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


def node_layer(case, stem="t_noeud", points=POINTS, prj=LAMBERT93, records=None, **dbf_args):
    shp, shx = shp_points(points)
    write(case, stem + ".shp", shp)
    write(case, stem + ".shx", shx)
    write(case, stem + ".dbf", dbf(NODE_FIELDS, records if records is not None else node_records(), **dbf_args))
    write(case, stem + ".cpg", "UTF-8")
    write(case, stem + ".prj", prj)
    return shp, shx


def node_csv(rows=("ND000000000001;;Chambre;;;;;;;PT;;;;;;;;;;;",)):
    return NODE_CSV_HEADER + "\n" + "\n".join(rows) + "\n"


def main():
    # The .shp is cut in the middle of its third record; its .shx still lists three records.
    shp, _ = node_layer("truncated_shp")
    write("truncated_shp", "t_noeud.shp", shp[: len(shp) - 10])

    # The .shx points the second record 4 bytes off and gives the third a wrong length.
    shp, shx = node_layer("shx_disagrees")
    shx = bytearray(shx)
    second = 100 + 8
    (off,) = struct.unpack(">i", shx[second : second + 4])
    shx[second : second + 4] = struct.pack(">i", off + 2)
    write("shx_disagrees", "t_noeud.shx", bytes(shx))

    # Three shapes, two attribute records.
    node_layer("count_mismatch", records=node_records()[:2])

    # The header announces 9 records, the file holds 3.
    node_layer("dbf_lying_record_count", declared_count=9)

    # The header announces a header 32 bytes longer than its field descriptors.
    node_layer("dbf_lying_header_length", header_len_delta=32)

    # No .dbf: the layer has no rows to read.
    shp, shx = shp_points(POINTS)
    write("shp_missing_dbf", "t_noeud.shp", shp)
    write("shp_missing_dbf", "t_noeud.shx", shx)
    write("shp_missing_dbf", "t_noeud.prj", LAMBERT93)
    write("shp_missing_dbf", "t_suf.csv", "sf_code;sf_nd_code\nSF000000000001;ND000000000001\n")

    # A layer in WGS 84.
    node_layer("prj_not_lambert93", prj=WGS84)

    # Upper-case names in subfolders, as Windows tools write them: read without complaint.
    node_layer("uppercase_subfolder", stem="SHP/T_NOEUD")
    for ext in ("shp", "shx", "dbf", "cpg", "prj"):
        src = ROOT / "uppercase_subfolder" / f"SHP/T_NOEUD.{ext}"
        src.rename(src.with_name(f"T_NOEUD.{ext.upper()}"))
    write("uppercase_subfolder", "CSV/T_CABLE.CSV", "CB_CODE;CB_CAPAFO\nCB1;12\n")

    # Columns: nd_type is missing, nd_extra is not in the model.
    write(
        "csv_missing_extra_columns",
        "t_noeud.csv",
        NODE_CSV_HEADER.replace(";nd_type;", ";") + ";nd_extra\nND000000000001;;Chambre;;;;;;;;;;;;;;;;;;x\n",
    )

    # Windows-1252 text without a word about it.
    write(
        "csv_windows1252",
        "t_noeud.csv",
        node_csv(("ND000000000001;;Ch\u00e2teau d'eau;;;;;;;PT;;;;;;;;;;;",)).encode("cp1252"),
    )

    # A byte-order mark and ',' separators.
    write(
        "comma_separator_bom",
        "t_noeud.csv",
        b"\xef\xbb\xbf" + node_csv(("ND000000000001,,Chambre,,,,,,,PT,,,,,,,,,,,",)).replace(";", ",").encode(),
    )

    # Row 2 lost a field, row 3 has one too many.
    write(
        "csv_ragged_rows",
        "t_noeud.csv",
        node_csv(
            (
                "ND000000000001;;Chambre;;;;;;;PT;;;;;;;;;;;",
                "ND000000000002;;Armoire;;;;;;;ST;;;;;;;;;;",
                "ND000000000003;;Poteau;;;;;;;PT;;;;;;;;;;;;x",
            )
        ),
    )

    # An empty CSV and an empty DBF beside a good table.
    write("empty_files", "t_noeud.csv", node_csv())
    write("empty_files", "t_cable.csv", b"")
    write("empty_files", "t_ptech.dbf", b"")

    # The same table twice, and a file that is no table.
    write("duplicate_and_unknown", "a/t_noeud.csv", node_csv())
    write("duplicate_and_unknown", "b/t_noeud.csv", node_csv())
    write("duplicate_and_unknown", "notes.txt", "livraison de test\n")

    # An archive whose entries try to leave the delivery folder, by path or by link.
    path = ROOT / "zip_unsafe_entries" / "livraison.zip"
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in (
            ("LIVRAISON/t_noeud.csv", node_csv()),
            ("../t_cable.csv", "cb_code\nCB1\n"),
            ("/tmp/t_ptech.csv", "pt_code\nPT1\n"),
        ):
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            z.writestr(info, content)
        # A symbolic link (Unix mode 0o120777) whose target is outside the delivery.
        link = zipfile.ZipInfo("LIVRAISON/t_cable.csv", date_time=(2024, 1, 1, 0, 0, 0))
        link.create_system = 3
        link.external_attr = 0o120777 << 16
        z.writestr(link, "/etc/passwd")


if __name__ == "__main__":
    os.umask(0o022)
    main()
