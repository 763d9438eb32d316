//! A clean GraceTHD v2.0.1 delivery: complete, consistent, deterministic, sized like a real one.

mod common;

use common::{col, plugs, problems, run, table, values};
use geo_types::{Coord, Geometry};
use std::collections::BTreeMap;
use thd_generate::communes;
use thd_model::GraceVersion;

const V2: GraceVersion = GraceVersion::V2_0_1;

#[test]
fn a_clean_delivery_has_no_decoding_problem() {
    for (plugs, seed) in [(1, 0), (37, 1), (2_500, 2), (9_000, 3)] {
        let g = run(V2, plugs, seed, 0);
        let found = problems(&g);
        assert!(
            found.is_empty(),
            "{plugs} plugs, seed {seed}: {:#?}",
            &found[..found.len().min(20)]
        );
        assert!(g.manifest.defects.is_empty());
    }
}

#[test]
fn every_model_table_is_present_in_order_and_counted() {
    let g = run(V2, 800, 4, 0);
    let schema = thd_model::Schema::of(V2);
    let names: Vec<&str> = g.tables.iter().map(|t| t.name.as_str()).collect();
    let expected: Vec<&str> = schema.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, expected);
    for t in &g.tables {
        assert_eq!(g.manifest.counts[&t.name], t.len(), "{}", t.name);
    }
}

#[test]
fn same_options_give_identical_tables_and_another_seed_differs() {
    let a = run(V2, 3_000, 11, 5);
    let b = run(V2, 3_000, 11, 5);
    assert_eq!(a.tables, b.tables);
    assert_eq!(a.manifest, b.manifest);
    let c = run(V2, 3_000, 12, 5);
    assert_ne!(a.tables, c.tables);
}

#[test]
fn output_does_not_depend_on_the_number_of_threads() {
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        pool.install(|| run(V2, 9_000, 21, 12))
    };
    let (one, four) = (on(1), on(4));
    assert_eq!(one.tables, four.tables);
    assert_eq!(one.manifest, four.manifest);
}

#[test]
fn plugs_sum_to_the_request_and_premises_match() {
    for (n, seed) in [(1, 5), (613, 6), (12_345, 7)] {
        let g = run(V2, n, seed, 0);
        assert_eq!(plugs(&g), u64::from(n));
        assert_eq!(
            table(&g, "t_suf").len(),
            n as usize,
            "one end-user site per plug"
        );
    }
}

#[test]
fn communes_are_breton_and_addresses_name_them() {
    let g = run(V2, 20_000, 8, 0);
    assert!(g.manifest.communes.len() >= 4);
    let all = communes::all().expect("communes");
    for insee in &g.manifest.communes {
        let c = all
            .iter()
            .find(|c| c.insee == insee)
            .expect("known commune");
        assert!(communes::DEPARTMENTS.contains(&c.department));
    }
    for insee in values(table(&g, "t_adresse"), "ad_insee") {
        assert!(g.manifest.communes.iter().any(|c| c == insee));
    }
}

#[test]
fn the_requested_department_is_honoured() {
    for d in communes::DEPARTMENTS {
        let mut o = common::options(V2, 500, 9, 0);
        o.department = Some(d.to_owned());
        let g = thd_generate::generate(&o).expect("generate");
        assert!(g.manifest.communes[0].starts_with(d));
    }
}

fn point(g: &Geometry<f64>) -> Coord<f64> {
    match g {
        Geometry::Point(p) => p.0,
        other => panic!("not a point: {other:?}"),
    }
}

fn line(g: &Geometry<f64>) -> Vec<Coord<f64>> {
    match g {
        Geometry::LineString(l) => l.0.clone(),
        other => panic!("not a line: {other:?}"),
    }
}

#[test]
fn paths_end_on_their_nodes_and_cable_lines_follow_their_paths() {
    let g = run(V2, 4_000, 10, 0);
    let nodes = table(&g, "t_noeud");
    let node_at: BTreeMap<&str, Coord<f64>> = (0..nodes.len())
        .map(|r| {
            (
                nodes.cell(r, 0).expect("code"),
                point(nodes.geometry(r).expect("geometry")),
            )
        })
        .collect();
    for p in node_at.values() {
        assert!((100_000.0..420_000.0).contains(&p.x) && (6_680_000.0..6_910_000.0).contains(&p.y));
    }
    let paths = table(&g, "t_cheminement");
    let (n1, n2) = (col(paths, "cm_ndcode1"), col(paths, "cm_ndcode2"));
    let mut path_line = BTreeMap::new();
    for r in 0..paths.len() {
        let l = line(paths.geometry(r).expect("geometry"));
        let (a, b) = (
            node_at[paths.cell(r, n1).expect("nd1")],
            node_at[paths.cell(r, n2).expect("nd2")],
        );
        assert_eq!((l[0], l[l.len() - 1]), (a, b), "path {r} ends on its nodes");
        path_line.insert(paths.cell(r, 0).expect("code"), l);
    }
    // Cable → ducts → paths: the cable line is the chain of its paths' lines.
    let duct_path: BTreeMap<&str, &str> = {
        let t = table(&g, "t_cond_chem");
        (0..t.len())
            .map(|r| (t.cell(r, 0).expect("cd"), t.cell(r, 1).expect("cm")))
            .collect()
    };
    let mut cable_paths: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let cc = table(&g, "t_cab_cond");
    for r in 0..cc.len() {
        let path = duct_path[cc.cell(r, 1).expect("cd")];
        cable_paths
            .entry(cc.cell(r, 0).expect("cb"))
            .or_default()
            .push(path);
    }
    let cables = table(&g, "t_cable");
    let (nd1, nd2) = (col(cables, "cb_nd1"), col(cables, "cb_nd2"));
    let cable_ends: BTreeMap<&str, (&str, &str)> = (0..cables.len())
        .map(|r| {
            (
                cables.cell(r, 0).expect("code"),
                (
                    cables.cell(r, nd1).expect("nd1"),
                    cables.cell(r, nd2).expect("nd2"),
                ),
            )
        })
        .collect();
    let lines = table(&g, "t_cableline");
    let cb = col(lines, "cl_cb_code");
    assert_eq!(lines.len(), cables.len());
    for r in 0..lines.len() {
        let code = lines.cell(r, cb).expect("cable");
        let l = line(lines.geometry(r).expect("geometry"));
        let (a, b) = cable_ends[code];
        assert_eq!(
            (l[0], l[l.len() - 1]),
            (node_at[a], node_at[b]),
            "cable {code} ends on its nodes"
        );
        let route = &cable_paths[code];
        assert_eq!(route.len(), l.len() - 1, "one vertex per path crossed");
        for (i, p) in route.iter().enumerate() {
            let pl = &path_line[p];
            let seg = (l[i], l[i + 1]);
            assert!(
                seg == (pl[0], pl[1]) || seg == (pl[1], pl[0]),
                "cable {code} leaves path {p}"
            );
        }
    }
}

#[test]
fn fibres_match_cable_capacities() {
    let g = run(V2, 1_500, 13, 0);
    let cables = table(&g, "t_cable");
    let capa = col(cables, "cb_capafo");
    let mut expected: BTreeMap<&str, usize> = BTreeMap::new();
    for r in 0..cables.len() {
        let c: usize = cables
            .cell(r, capa)
            .expect("capafo")
            .parse()
            .expect("integer");
        expected.insert(cables.cell(r, 0).expect("code"), c);
    }
    let mut found: BTreeMap<&str, usize> = BTreeMap::new();
    for cb in values(table(&g, "t_fibre"), "fo_cb_code") {
        *found.entry(cb).or_default() += 1;
    }
    assert_eq!(found, expected);
}

#[test]
fn zones_nest_and_every_premise_hangs_off_a_pbo() {
    let g = run(V2, 3_000, 14, 0);
    let zsro = table(&g, "t_zsro").len();
    let pbos = values(table(&g, "t_ebp"), "bp_typelog")
        .filter(|&v| v == "PBO")
        .count();
    assert_eq!(table(&g, "t_znro").len(), g.manifest.communes.len());
    assert_eq!(table(&g, "t_zpbo").len(), pbos);
    assert!(
        (3_000 / 700..=3_000 / 300 + 1).contains(&zsro),
        "{zsro} SRO zones"
    );
    let suf = table(&g, "t_suf");
    assert!(values(suf, "sf_zp_code").count() == suf.len());
}

#[test]
fn sizes_scale_like_a_real_network() {
    let g = run(V2, 20_000, 15, 0);
    let per_plug = |t: &str| table(&g, t).len() as f64 / 20_000.0;
    let pbos = values(table(&g, "t_ebp"), "bp_typelog")
        .filter(|&v| v == "PBO")
        .count() as f64;
    let plugs_per_pbo = 20_000.0 / pbos;
    assert!(
        (6.0..=12.0).contains(&plugs_per_pbo),
        "{plugs_per_pbo} plugs per PBO"
    );
    let plugs_per_sro = 20_000.0 / table(&g, "t_zsro").len() as f64;
    assert!(
        (300.0..=700.0).contains(&plugs_per_sro),
        "{plugs_per_sro} plugs per SRO"
    );
    assert!(
        (0.5..0.95).contains(&per_plug("t_adresse")),
        "addresses {}",
        per_plug("t_adresse")
    );
    // Network nodes (chambers, poles, sites) besides one end-user-site node per address.
    let premises_nodes = values(table(&g, "t_noeud"), "nd_type")
        .filter(|&v| v == "SF")
        .count();
    assert_eq!(premises_nodes, table(&g, "t_adresse").len());
    let network_nodes = (table(&g, "t_noeud").len() - premises_nodes) as f64 / 20_000.0;
    assert!(
        (0.08..0.3).contains(&network_nodes),
        "nodes {network_nodes}"
    );
    assert!(
        (0.08..0.3).contains(&per_plug("t_cheminement")),
        "paths {}",
        per_plug("t_cheminement")
    );
    assert!(
        (4.0..25.0).contains(&per_plug("t_fibre")),
        "fibres {}",
        per_plug("t_fibre")
    );
    let statuts: BTreeMap<&str, usize> =
        values(table(&g, "t_cable"), "cb_statut").fold(BTreeMap::new(), |mut m, s| {
            *m.entry(s).or_default() += 1;
            m
        });
    let total: usize = statuts.values().sum();
    let built = statuts.get("REC").copied().unwrap_or(0) + statuts.get("EXE").copied().unwrap_or(0);
    assert!(built * 2 > total, "mostly REC/EXE: {statuts:?}");
}

/// Whether `p` lies inside the polygon's outer ring (ray casting).
fn inside(ring: &[Coord<f64>], p: Coord<f64>) -> bool {
    let mut inside = false;
    for w in ring.windows(2) {
        let (a, b) = (w[0], w[1]);
        if (a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x {
            inside = !inside;
        }
    }
    inside
}

fn ring(g: &Geometry<f64>) -> Vec<Coord<f64>> {
    match g {
        Geometry::MultiPolygon(m) => m.0[0].exterior().0.clone(),
        other => panic!("not a multipolygon: {other:?}"),
    }
}

#[test]
fn premises_lie_in_their_pbo_zone_and_pbo_zones_in_their_sro_zone() {
    let g = run(V2, 5_000, 16, 0);
    let rings = |name: &str| -> BTreeMap<String, Vec<Coord<f64>>> {
        let t = table(&g, name);
        (0..t.len())
            .map(|r| {
                (
                    t.cell(r, 0).expect("code").to_owned(),
                    ring(t.geometry(r).expect("geometry")),
                )
            })
            .collect()
    };
    let (zpbo, zsro) = (rings("t_zpbo"), rings("t_zsro"));
    let addresses = table(&g, "t_adresse");
    let at: BTreeMap<&str, Coord<f64>> = (0..addresses.len())
        .map(|r| {
            (
                addresses.cell(r, 0).expect("code"),
                point(addresses.geometry(r).expect("geometry")),
            )
        })
        .collect();
    let suf = table(&g, "t_suf");
    let (ad, zp) = (col(suf, "sf_ad_code"), col(suf, "sf_zp_code"));
    for r in 0..suf.len() {
        let (a, z) = (
            suf.cell(r, ad).expect("address"),
            suf.cell(r, zp).expect("zone"),
        );
        assert!(inside(&zpbo[z], at[a]), "address {a} outside PBO zone {z}");
    }
    let zp_table = table(&g, "t_zpbo");
    let zs = col(zp_table, "zp_zs_code");
    for r in 0..zp_table.len() {
        let sro = &zsro[zp_table.cell(r, zs).expect("sro zone")];
        let corners = ring(zp_table.geometry(r).expect("geometry"));
        // Strictly inside: the PBO strip is narrower than its SRO zone on every side.
        assert!(
            corners.iter().all(|&c| inside(sro, c)),
            "PBO zone {r} leaves its SRO zone"
        );
    }
}
