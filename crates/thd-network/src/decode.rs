//! Building the typed [`Network`] from the raw tables of a delivery.
//!
//! Tables are decoded in dependency order, in three waves whose tables are independent of each other and so run
//! in parallel: first the objects that refer to nothing (organisations, nodes, addresses), then those that refer
//! only to the first wave, then the rest. A row without a code, or with a code already seen, is left out (the
//! first row wins); a reference to an object that is not there reads as `None`. Both are reported by
//! [`crate::validate`], which sees the raw cells; decoding itself never fails on data.

use thd_model::{GraceVersion, RawDelivery, RawTable, Schema};

use crate::entities::{Entities, Id};
use crate::network::*;
use crate::symbols::Symbols;
use crate::view::{Col, TableView};

/// The tables and shared lookups one decoding works from.
struct Source<'a> {
    delivery: &'a RawDelivery,
    schema: &'static Schema,
    symbols: &'a Symbols,
}

impl<'a> Source<'a> {
    fn view(&self, table: &str) -> Option<TableView<'a>> {
        let raw: &'a RawTable = self.delivery.table(table)?;
        Some(TableView::new(raw, self.schema, self.symbols))
    }
}

/// Decodes the tables of `delivery`, read as GraceTHD `version`, into a network.
pub fn decode_network(delivery: &RawDelivery, version: GraceVersion) -> Network {
    let schema = Schema::of(version);
    let symbols = Symbols::new(schema);
    let src = Source {
        delivery,
        schema,
        symbols: &symbols,
    };

    let ((organisations, nodes), addresses) = rayon::join(
        || rayon::join(|| organisations(&src), || nodes(&src)),
        || addresses(&src),
    );
    let first = (&organisations, &nodes, &addresses);

    let (((tech_points, sites), (paths, cables)), (ducts, zones)) = rayon::join(
        || {
            rayon::join(
                || rayon::join(|| tech_points(&src, first), || sites(&src, first)),
                || rayon::join(|| paths(&src, first), || cables(&src, first)),
            )
        },
        || rayon::join(|| ducts(&src, &organisations), || zones(&src, first)),
    );
    let [nro_zones, sro_zones, pbo_zones, deployment_zones] = zones;

    let enclosures = enclosures(&src, &tech_points, &organisations);
    let ((premises, cable_lines), ((fibres, duct_paths), (cable_ducts, cable_paths))) = rayon::join(
        || {
            rayon::join(
                || premises(&src, first, &pbo_zones, &sites, &enclosures),
                || cable_lines(&src, &cables),
            )
        },
        || {
            rayon::join(
                || {
                    rayon::join(
                        || fibres(&src, &cables),
                        || duct_paths(&src, &ducts, &paths),
                    )
                },
                || {
                    rayon::join(
                        || cable_ducts(&src, &cables, &ducts),
                        || cable_paths(&src, &cables, &paths),
                    )
                },
            )
        },
    );
    let mut cables = cables;
    link_cable_boxes(&src, &mut cables, &enclosures);

    Network {
        version,
        symbols,
        organisations,
        nodes,
        addresses,
        tech_points,
        sites,
        premises,
        nro_zones,
        sro_zones,
        pbo_zones,
        deployment_zones,
        paths,
        ducts,
        cables,
        cable_lines,
        enclosures,
        fibres,
        duct_paths,
        cable_ducts,
        cable_paths,
    }
}

type FirstWave<'a> = (
    &'a Entities<Organisation>,
    &'a Entities<Node>,
    &'a Entities<Address>,
);

/// Collects the rows of `table` keyed by `key`, building each object with `build`.
fn collect<'a, T>(
    src: &Source<'a>,
    table: &str,
    key: &str,
    build: impl Fn(&TableView<'a>, usize) -> T,
) -> Entities<T> {
    let Some(view) = src.view(table) else {
        return Entities::default();
    };
    let key = view.col(key);
    let mut entities = Entities::with_capacity(view.rows());
    for row in 0..view.rows() {
        if let Some(code) = view.text(row, key) {
            entities.insert(code, build(&view, row));
        }
    }
    entities
}

/// Pairs of references (`t_cond_chem`, `t_cab_cond`, `t_cab_chem`): rows where both ends resolve.
fn links<A, B>(
    src: &Source<'_>,
    table: &str,
    (left, right): (&str, &str),
    (lefts, rights): (&Entities<A>, &Entities<B>),
) -> Vec<(Id<A>, Id<B>)> {
    let Some(view) = src.view(table) else {
        return Vec::new();
    };
    let (l, r) = (view.col(left), view.col(right));
    let mut pairs: Vec<(Id<A>, Id<B>)> = (0..view.rows())
        .filter_map(|row| {
            Some((
                view.reference(row, l, lefts)?,
                view.reference(row, r, rights)?,
            ))
        })
        .collect();
    // A link table's key is the pair itself: a repeated pair is a duplicate row, reported by validation.
    let mut seen = rustc_hash::FxHashSet::default();
    pairs.retain(|pair| seen.insert(*pair));
    pairs
}

/// The lifecycle columns of a table, by its attribute prefix (`cb` → `cb_statut`, `cb_avct`...).
struct LifeCols<'a> {
    status: Col<'a>,
    progress: Col<'a>,
    state: Col<'a>,
    owner: Col<'a>,
    manager: Col<'a>,
    installed: Col<'a>,
    in_service: Col<'a>,
}

impl<'a> LifeCols<'a> {
    fn new(view: &TableView<'a>, prefix: &str) -> Self {
        let col = |suffix: &str| view.col(&format!("{prefix}_{suffix}"));
        let first = |a: &str, b: &str| {
            let a = col(a);
            if a.is_present() { a } else { col(b) }
        };
        Self {
            status: col("statut"),
            progress: col("avct"),
            state: col("etat"),
            owner: first("prop", "prop_do"),
            manager: first("gest", "gest_do"),
            installed: first("dateins", "datcons"),
            in_service: col("datemes"),
        }
    }

    fn read(&self, view: &TableView<'_>, row: usize, orgs: &Entities<Organisation>) -> Lifecycle {
        Lifecycle {
            status: view.sym(row, self.status),
            progress: view.sym(row, self.progress),
            state: view.sym(row, self.state),
            owner: view.reference(row, self.owner, orgs),
            manager: view.reference(row, self.manager, orgs),
            installed: view.date(row, self.installed),
            in_service: view.date(row, self.in_service),
        }
    }
}

/// Runs `build` with columns resolved once for the table, then once per row.
fn collect_with<'a, T, C>(
    src: &Source<'a>,
    table: &str,
    key: &str,
    columns: impl FnOnce(&TableView<'a>) -> C,
    build: impl Fn(&TableView<'a>, &C, usize) -> T,
) -> Entities<T> {
    let Some(view) = src.view(table) else {
        return Entities::default();
    };
    let cols = columns(&view);
    collect(src, table, key, |view, row| build(view, &cols, row))
}

fn organisations(src: &Source<'_>) -> Entities<Organisation> {
    collect_with(
        src,
        "t_organisme",
        "or_code",
        |v| (v.col("or_nom"), v.col("or_siret")),
        |v, &(name, siret), row| Organisation {
            name: v.string(row, name),
            siret: v.string(row, siret),
        },
    )
}

fn nodes(src: &Source<'_>) -> Entities<Node> {
    collect_with(
        src,
        "t_noeud",
        "nd_code",
        |v| v.col("nd_type"),
        |v, &kind, row| Node {
            location: v.point(row),
            kind: v.sym(row, kind),
        },
    )
}

fn addresses(src: &Source<'_>) -> Entities<Address> {
    let v3 = src
        .schema
        .table("t_adresse")
        .is_some_and(|t| t.column("ad_nblres").is_some());
    collect_with(
        src,
        "t_adresse",
        "ad_code",
        |v| {
            [
                v.col("ad_insee"),
                v.col("ad_commune"),
                v.col("ad_nomvoie"),
                v.col("ad_numero"),
                v.col(if v3 { "ad_nblres" } else { "ad_nblhab" }),
                v.col("ad_nblpro"),
                v.col("ad_nbprhab"),
                v.col("ad_nbprpro"),
                v.col("ad_ietat"),
                v.col("ad_postal"),
                v.col("ad_rep"),
                v.col("ad_hexacle"),
                v.col("ad_nombat"),
                v.col("ad_batcode"),
                v.col("ad_idatcab"),
                v.col("ad_idatcom"),
            ]
        },
        |v, c, row| Address {
            location: v.point(row),
            insee: v.string(row, c[0]),
            postal_code: v.string(row, c[9]),
            commune: v.string(row, c[1]),
            street: v.string(row, c[2]),
            number: v.integer(row, c[3]),
            number_suffix: v.string(row, c[10]),
            hexacle: v.string(row, c[11]),
            building_name: v.string(row, c[12]),
            building_code: v.string(row, c[13]),
            dwellings: v.count(row, c[4]),
            businesses: v.count(row, c[5]),
            dwelling_plugs: v.count(row, c[6]),
            business_plugs: v.count(row, c[7]),
            building_state: v.sym(row, c[8]),
            cabled: v.date(row, c[14]),
            commercial_opening: v.date(row, c[15]),
        },
    )
}

fn tech_points(src: &Source<'_>, (orgs, nodes, _): FirstWave<'_>) -> Entities<TechPoint> {
    collect_with(
        src,
        "t_ptech",
        "pt_code",
        |v| {
            (
                [v.col("pt_nd_code"), v.col("pt_typephy"), v.col("pt_nature")],
                LifeCols::new(v, "pt"),
            )
        },
        |v, (c, life), row| TechPoint {
            node: v.reference(row, c[0], nodes),
            physical: v.sym(row, c[1]),
            nature: v.sym(row, c[2]),
            life: life.read(v, row, orgs),
        },
    )
}

fn sites(src: &Source<'_>, (orgs, nodes, addresses): FirstWave<'_>) -> Entities<Site> {
    // v3 renamed v2.0.1's technical sites table.
    let table = if src.schema.table("t_site").is_some() {
        "t_site"
    } else {
        "t_sitetech"
    };
    collect_with(
        src,
        table,
        "st_code",
        |v| {
            (
                [
                    v.col("st_nd_code"),
                    v.col("st_ad_code"),
                    v.col("st_typelog"),
                    v.col("st_typephy"),
                ],
                LifeCols::new(v, "st"),
            )
        },
        |v, (c, life), row| Site {
            node: v.reference(row, c[0], nodes),
            address: v.reference(row, c[1], addresses),
            logical: v.sym(row, c[2]),
            physical: v.sym(row, c[3]),
            life: life.read(v, row, orgs),
        },
    )
}

/// Zones of the four kinds; an SRO zone's parent is resolved among NRO zones, the others' among SRO zones.
fn zones(src: &Source<'_>, (orgs, nodes, _): FirstWave<'_>) -> [Entities<Zone>; 4] {
    let zone = |kind: ZoneKind, parents: Option<(&str, &Entities<Zone>)>| {
        let (prefix, name) = match kind {
            ZoneKind::Nro => ("zn", "zn_nom"),
            ZoneKind::Sro => ("zs", "zs_nom"),
            ZoneKind::Pbo => ("zp", "zp_nom"),
            ZoneKind::Deployment => ("zd", "zd_nom"),
        };
        collect_with(
            src,
            kind.table(),
            &format!("{prefix}_code"),
            |v| {
                (
                    [
                        v.col(&format!("{prefix}_nd_code")),
                        parents.map_or(v.col(""), |(column, _)| v.col(column)),
                        v.col(&format!("{prefix}_capamax")),
                        v.col(name),
                    ],
                    LifeCols::new(v, prefix),
                    (kind == ZoneKind::Sro).then(|| AccessPointCols::new(v)),
                )
            },
            |v, (c, life, access_point), row| Zone {
                kind,
                node: v.reference(row, c[0], nodes),
                parent: parents.and_then(|(_, zones)| v.reference(row, c[1], zones)),
                area: v.area(row),
                capacity: v.count(row, c[2]),
                name: v.string(row, c[3]),
                life: life.read(v, row, orgs),
                access_point: access_point.as_ref().map(|cols| cols.read(v, row)),
            },
        )
    };
    let nro = zone(ZoneKind::Nro, None);
    let sro = zone(ZoneKind::Sro, Some(("zs_zn_code", &nro)));
    let (pbo, deployment) = rayon::join(
        || zone(ZoneKind::Pbo, Some(("zp_zs_code", &sro))),
        || zone(ZoneKind::Deployment, Some(("zd_zs_code", &sro))),
    );
    [nro, sro, pbo, deployment]
}

/// The IPE columns of `t_zsro` about its access point.
struct AccessPointCols<'a> {
    reference: Col<'a>,
    state: Col<'a>,
    placement: Col<'a>,
    first_available: Col<'a>,
    commercial_opening: Col<'a>,
}

impl<'a> AccessPointCols<'a> {
    fn new(view: &TableView<'a>) -> Self {
        Self {
            reference: view.col("zs_refpm"),
            state: view.col("zs_etatpm"),
            placement: view.col("zs_typeemp"),
            first_available: view.col("zs_datemad"),
            commercial_opening: view.col("zs_datcomr"),
        }
    }

    fn read(&self, view: &TableView<'_>, row: usize) -> AccessPoint {
        AccessPoint {
            reference: view.string(row, self.reference),
            state: view.sym(row, self.state),
            placement: view.sym(row, self.placement),
            first_available: view.date(row, self.first_available),
            commercial_opening: view.date(row, self.commercial_opening),
        }
    }
}

fn paths(src: &Source<'_>, (orgs, nodes, _): FirstWave<'_>) -> Entities<Path> {
    collect_with(
        src,
        "t_cheminement",
        "cm_code",
        |v| {
            (
                [
                    v.col("cm_ndcode1"),
                    v.col("cm_ndcode2"),
                    v.col("cm_typ_imp"),
                    v.col("cm_typelog"),
                    v.col("cm_long"),
                    v.col("cm_lgreel"),
                ],
                LifeCols::new(v, "cm"),
            )
        },
        |v, (c, life), row| Path {
            from: v.reference(row, c[0], nodes),
            to: v.reference(row, c[1], nodes),
            line: v.line(row),
            placement: v.sym(row, c[2]),
            logical: v.sym(row, c[3]),
            length: v.number(row, c[4]).or_else(|| v.number(row, c[5])),
            life: life.read(v, row, orgs),
        },
    )
}

fn ducts(src: &Source<'_>, orgs: &Entities<Organisation>) -> Entities<Duct> {
    let mut ducts = collect_with(
        src,
        "t_conduite",
        "cd_code",
        |v| {
            (
                [v.col("cd_type"), v.col("cd_dia_int"), v.col("cd_long")],
                LifeCols::new(v, "cd"),
            )
        },
        |v, (c, life), row| Duct {
            parent: None,
            kind: v.sym(row, c[0]),
            inner_diameter: v.number(row, c[1]),
            length: v.number(row, c[2]),
            life: life.read(v, row, orgs),
        },
    );
    // A sub-duct may come before its parent in the file: parents are linked once every duct is known.
    if let Some(view) = src.view("t_conduite") {
        let (key, parent) = (view.col("cd_code"), view.col("cd_cd_code"));
        let links: Vec<(Id<Duct>, Id<Duct>)> = (0..view.rows())
            .filter_map(|row| {
                let child = view.reference(row, key, &ducts)?;
                Some((child, view.reference(row, parent, &ducts)?))
            })
            .collect();
        for (child, parent) in links {
            if child != parent {
                ducts.get_mut(child).parent = Some(parent);
            }
        }
    }
    ducts
}

fn cables(src: &Source<'_>, (orgs, nodes, _): FirstWave<'_>) -> Entities<Cable> {
    collect_with(
        src,
        "t_cable",
        "cb_code",
        |v| {
            (
                [
                    v.col("cb_nd1"),
                    v.col("cb_nd2"),
                    v.col("cb_capafo"),
                    v.col("cb_typelog"),
                    v.col("cb_typephy"),
                    v.col("cb_lgreel"),
                ],
                LifeCols::new(v, "cb"),
            )
        },
        |v, (c, life), row| Cable {
            from: v.reference(row, c[0], nodes),
            to: v.reference(row, c[1], nodes),
            from_box: None,
            to_box: None,
            capacity: v.count(row, c[2]),
            logical: v.sym(row, c[3]),
            physical: v.sym(row, c[4]),
            length: v.number(row, c[5]),
            life: life.read(v, row, orgs),
        },
    )
}

/// v3 cables name the boxes at their ends (`cb_bp1`, `cb_bp2`); boxes are decoded after cables, so the ends are
/// linked last.
fn link_cable_boxes(src: &Source<'_>, cables: &mut Entities<Cable>, boxes: &Entities<Enclosure>) {
    let Some(view) = src.view("t_cable") else {
        return;
    };
    let (key, bp1, bp2) = (view.col("cb_code"), view.col("cb_bp1"), view.col("cb_bp2"));
    if !bp1.is_present() && !bp2.is_present() {
        return;
    }
    for row in 0..view.rows() {
        let Some(id) = view.reference(row, key, cables) else {
            continue;
        };
        let (from_box, to_box) = (
            view.reference(row, bp1, boxes),
            view.reference(row, bp2, boxes),
        );
        let cable = cables.get_mut(id);
        // Only the first row of a duplicated code is the cable; later rows must not overwrite it.
        if cable.from_box.is_none() && cable.to_box.is_none() {
            cable.from_box = from_box;
            cable.to_box = to_box;
        }
    }
}

fn cable_lines(src: &Source<'_>, cables: &Entities<Cable>) -> Entities<CableLine> {
    collect_with(
        src,
        "t_cableline",
        "cl_code",
        |v| (v.col("cl_cb_code"), v.col("cl_long")),
        |v, &(cable, length), row| CableLine {
            cable: v.reference(row, cable, cables),
            line: v.line(row),
            length: v.number(row, length),
        },
    )
}

fn enclosures(
    src: &Source<'_>,
    tech_points: &Entities<TechPoint>,
    orgs: &Entities<Organisation>,
) -> Entities<Enclosure> {
    collect_with(
        src,
        "t_ebp",
        "bp_code",
        |v| {
            (
                [
                    v.col("bp_pt_code"),
                    v.col("bp_typelog"),
                    v.col("bp_typephy"),
                ],
                LifeCols::new(v, "bp"),
            )
        },
        |v, (c, life), row| Enclosure {
            tech_point: v.reference(row, c[0], tech_points),
            logical: v.sym(row, c[1]),
            physical: v.sym(row, c[2]),
            life: life.read(v, row, orgs),
        },
    )
}

fn premises(
    src: &Source<'_>,
    (orgs, nodes, addresses): FirstWave<'_>,
    pbo_zones: &Entities<Zone>,
    sites: &Entities<Site>,
    boxes: &Entities<Enclosure>,
) -> Entities<Premises> {
    if src.schema.table("t_local").is_some() {
        collect_with(
            src,
            "t_local",
            "lc_code",
            |v| {
                (
                    [
                        v.col("lc_st_code"),
                        v.col("lc_bp_codp"),
                        v.col("lc_typelog"),
                    ],
                    LifeCols::new(v, "lc"),
                )
            },
            |v, (c, life), row| {
                let site = v.reference(row, c[0], sites);
                Premises {
                    node: site.and_then(|s| sites.get(s).node),
                    address: site.and_then(|s| sites.get(s).address),
                    pbo_zone: None,
                    site,
                    pbo: v.reference(row, c[1], boxes),
                    kind: v.sym(row, c[2]),
                    life: life.read(v, row, orgs),
                }
            },
        )
    } else {
        collect_with(
            src,
            "t_suf",
            "sf_code",
            |v| {
                [
                    v.col("sf_nd_code"),
                    v.col("sf_ad_code"),
                    v.col("sf_zp_code"),
                    v.col("sf_type"),
                ]
            },
            |v, c, row| Premises {
                node: v.reference(row, c[0], nodes),
                address: v.reference(row, c[1], addresses),
                pbo_zone: v.reference(row, c[2], pbo_zones),
                site: None,
                pbo: None,
                kind: v.sym(row, c[3]),
                life: Lifecycle::default(),
            },
        )
    }
}

fn fibres(src: &Source<'_>, cables: &Entities<Cable>) -> Entities<Fibre> {
    collect_with(
        src,
        "t_fibre",
        "fo_code",
        |v| (v.col("fo_cb_code"), v.col("fo_nincab"), v.col("fo_etat")),
        |v, &(cable, number, state), row| Fibre {
            cable: v.reference(row, cable, cables),
            number: v.count(row, number),
            state: v.sym(row, state),
        },
    )
}

fn duct_paths(
    src: &Source<'_>,
    ducts: &Entities<Duct>,
    paths: &Entities<Path>,
) -> Vec<(Id<Duct>, Id<Path>)> {
    links(
        src,
        "t_cond_chem",
        ("dm_cd_code", "dm_cm_code"),
        (ducts, paths),
    )
}

fn cable_ducts(
    src: &Source<'_>,
    cables: &Entities<Cable>,
    ducts: &Entities<Duct>,
) -> Vec<(Id<Cable>, Id<Duct>)> {
    links(
        src,
        "t_cab_cond",
        ("cc_cb_code", "cc_cd_code"),
        (cables, ducts),
    )
}

fn cable_paths(
    src: &Source<'_>,
    cables: &Entities<Cable>,
    paths: &Entities<Path>,
) -> Vec<(Id<Cable>, Id<Path>)> {
    links(
        src,
        "t_cab_chem",
        ("cc_cb_code", "cc_cm_code"),
        (cables, paths),
    )
}
