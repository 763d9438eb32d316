//! GraceTHD v3 tables of a commune's network.
//!
//! v3 keeps the graph (nodes, paths, chambers and poles, boxes, cables in `t_cableline`, fibres) but drops ducts:
//! a cable lies directly in the paths it follows (`t_cab_chem`). Sites (`t_site`) are network sites (NRO, SRO:
//! `RESEAU`) or client buildings (`CLIENT`, one per address); premises are `t_local` rows, one per plug, in their
//! building's site, fed by their PBO (`lc_bp_codp`) and, once subscribed, ending on their PTO (`lc_bp_codf`).
//! Zones keep NRO ⊃ SRO, attached to the NRO and SRO rooms; v3 has no PBO zone table. Chambers and poles are also
//! reception points (`t_pointaccueil`), and the operator's own underground paths are trenches (`t_tranchee`)
//! between them (micro-trenches on one path in three, as in v2's `cm_mod_pos`). Booleans are `l_bool`
//! codes, geometries multi-geometries, and every object carries its reception perimeter (`*_perirec`).

use std::collections::BTreeMap;
use thd_model::{GraceVersion, RawTable};

use crate::GenerateError;
use crate::catalog::{self, DELEGATEE, OPERATOR, ORGS, box_ref, cable_ref};
use crate::emit::{Context, Tables, modulo, pole_height, sro_capacity, subscribed};
use crate::net::{BoxRole, CommuneNet, NodeKind, Phase, Support};
use crate::streets::{Laying, Owner};
use crate::vocab::Vocab;

const V: GraceVersion = GraceVersion::V3;

/// Codes only v3 writes, resolved in the v3 lists.
#[derive(Debug)]
pub struct Extra {
    common: Vocab,
    /// Whether to write `t_fibre` ([`crate::GenerateOptions::fibres`]).
    fibres: bool,
    yes: &'static str,
    no: &'static str,
    network: &'static str,
    client: &'static str,
    shelter: &'static str,
    cabinet: &'static str,
    building: &'static str,
    local_nro: &'static str,
    local_sro: &'static str,
    local_home: &'static str,
    local_business: &'static str,
    pa_chamber: &'static str,
    pa_pole: &'static str,
    pa_chamber_natures: Vec<&'static str>,
    pa_pole_natures: Vec<&'static str>,
    ref_section: &'static str,
}

impl Extra {
    pub fn new(fibres: bool) -> Result<Self, GenerateError> {
        let common = Vocab::new(V)?;
        let l = common.lists;
        Ok(Self {
            fibres,
            yes: l.code("l_bool", "1")?,
            no: l.code("l_bool", "0")?,
            network: l.code("l_site_type_log", "RESEAU")?,
            client: l.code("l_site_type_log", "CLIENT")?,
            shelter: l.code("l_site_type_phy", "SHE")?,
            cabinet: l.code("l_site_type_phy", "ADR")?,
            building: l.code("l_site_type_phy", "BAT")?,
            local_nro: l.code("l_local_type_log", "NRO")?,
            local_sro: l.code("l_local_type_log", "SRO")?,
            local_home: l.code("l_local_type_log", "RES")?,
            local_business: l.code("l_local_type_log", "PRO")?,
            pa_chamber: l.code("l_pointaccueil_type_phy", "CHB")?,
            pa_pole: l.code("l_pointaccueil_type_phy", "APP")?,
            pa_chamber_natures: l.labelled("l_pointaccueil_nature", "CHAMBRE L")?,
            pa_pole_natures: l.labelled("l_pointaccueil_nature", "POTEAU")?,
            ref_section: l.code("l_reference_type", "CT")?,
            common,
        })
    }

    fn boolean(&self, b: bool) -> &'static str {
        if b { self.yes } else { self.no }
    }
}

/// The tables shared by all communes: organisations and equipment references.
pub fn global(x: &Extra) -> Result<Vec<RawTable>, GenerateError> {
    let mut tables = Tables::new(V);
    let t = tables.get("t_organisme")?;
    for org in ORGS {
        t.set("or_code", org.code)
            .set("or_nom", org.name)
            .set("or_type", org.kind);
        t.end_row();
    }
    let t = tables.get("t_reference")?;
    for r in catalog::references() {
        let kind = if r.cable {
            x.common.ref_cable
        } else {
            x.common.ref_box
        };
        t.set("rf_code", &r.code)
            .set("rf_design", &r.design)
            .set("rf_type", kind);
        t.end_row();
    }
    for (code, design) in catalog::trench_references() {
        t.set("rf_code", &code)
            .set("rf_design", design)
            .set("rf_type", x.ref_section);
        t.end_row();
    }
    tables.finish()
}

/// Codes of the objects one commune's tables cross-reference.
struct Codes<'a> {
    cx: Context<'a>,
    /// First box on each node, for the cable ends (`cb_bp1`, `cb_bp2`).
    box_at: BTreeMap<u32, usize>,
}

impl Codes<'_> {
    fn node(&self, n: u32) -> String {
        self.cx.code("ND", n as usize + 1)
    }

    /// Network locals (NRO, SRO rooms) share their site node's number.
    fn room(&self, n: u32) -> String {
        self.cx.code("LC", n as usize + 1)
    }

    /// Reception perimeter: the SRO zone, or the NRO level of the commune.
    fn perirec(&self, district: Option<u32>) -> String {
        match district {
            Some(d) => format!("{}-PM{:03}", self.cx.net.commune.insee, d + 1),
            None => format!("{}-NRO", self.cx.net.commune.insee),
        }
    }
}

/// The tables of one commune's network.
pub fn commune(net: &CommuneNet, x: &Extra) -> Result<Vec<RawTable>, GenerateError> {
    let mut box_at = BTreeMap::new();
    for (i, b) in net.boxes.iter().enumerate() {
        box_at.entry(b.node).or_insert(i);
    }
    let codes = Codes {
        cx: Context::new(net),
        box_at,
    };
    let mut tables = Tables::new(V);
    nodes(&codes, x, &mut tables)?;
    paths_and_cables(&codes, x, &mut tables)?;
    civil_works(&codes, x, &mut tables)?;
    premises(&codes, x, &mut tables)?;
    zones(&codes, x, &mut tables)?;
    tables.finish()
}

fn nodes(codes: &Codes<'_>, x: &Extra, tables: &mut Tables) -> Result<(), GenerateError> {
    let (v, cx, net) = (&x.common, &codes.cx, codes.cx.net);
    let t = tables.get("t_noeud")?;
    for (i, n) in net.nodes.iter().enumerate() {
        t.set("nd_code", &codes.node(i as u32))
            .geometry(cx.point(n.local));
        t.end_row();
    }
    let t = tables.get("t_ptech")?;
    for (i, n) in net.nodes.iter().enumerate() {
        let NodeKind::Point { support } = n.kind else {
            continue;
        };
        let (phys, nature) = v.ptech(support, i);
        let code = cx.code("PT", i + 1);
        t.set("pt_code", &code)
            .set("pt_etiquet", &code)
            .set("pt_perirec", &codes.perirec(n.district))
            .set("pt_nd_code", &codes.node(i as u32))
            .set("pt_abandon", x.no)
            .set("pt_prop", catalog::org(n.owner))
            .set("pt_gest", catalog::org(n.owner))
            .set("pt_proptyp", v.proptyp(n.owner))
            .set("pt_statut", v.statut(n.phase))
            .set("pt_avct", v.avct(n.phase))
            .set("pt_typephy", phys)
            .set("pt_nature", nature)
            .set("pt_secu", x.no);
        if support == Support::Pole {
            t.set("pt_a_haut", pole_height(n.owner));
        }
        t.end_row();
    }
    let t = tables.get("t_site")?;
    for (i, n) in net.nodes.iter().enumerate() {
        let (phys, name) = match n.kind {
            NodeKind::Nro => (x.shelter, format!("NRO {}", cx.commune_name)),
            NodeKind::Sro { district } => (x.cabinet, format!("PM{:03}", district + 1)),
            NodeKind::Point { .. } => continue,
        };
        let d = cx.dates(n.district);
        t.set("st_code", &cx.code("ST", i + 1))
            .set("st_perirec", &codes.perirec(n.district))
            .set("st_nd_code", &codes.node(i as u32))
            .set("st_design", &name)
            .set("st_abandon", x.no)
            .set("st_nra", x.no)
            .set("st_prop", OPERATOR.code)
            .set("st_gest", OPERATOR.code)
            .set("st_proptyp", v.prop_build)
            .set("st_statut", v.statut(n.phase))
            .set("st_avct", v.avct(n.phase))
            .set("st_typephy", phys)
            .set("st_typelog", x.network)
            .set("st_insee", net.commune.insee)
            .set("st_commune", &cx.commune_name)
            .set("st_nomvoie", &net.streets[n.street as usize].name);
        if n.phase == Phase::Rec {
            t.set("st_dateins", &d.installed);
        }
        t.end_row();
    }
    let t = tables.get("t_local")?;
    for (i, n) in net.nodes.iter().enumerate() {
        let log = match n.kind {
            NodeKind::Nro => x.local_nro,
            NodeKind::Sro { .. } => x.local_sro,
            NodeKind::Point { .. } => continue,
        };
        let d = cx.dates(n.district);
        t.set("lc_code", &codes.room(i as u32))
            .set("lc_perirec", &codes.perirec(n.district))
            .set("lc_st_code", &cx.code("ST", i + 1))
            .set("lc_abandon", x.no)
            .set("lc_prop", OPERATOR.code)
            .set("lc_gest", OPERATOR.code)
            .set("lc_proptyp", v.prop_build)
            .set("lc_statut", v.statut(n.phase))
            .set("lc_avct", v.avct(n.phase))
            .set("lc_elec", x.yes)
            .set("lc_typelog", log);
        if n.phase == Phase::Rec {
            t.set("lc_dateins", &d.installed);
        }
        t.end_row();
    }
    let t = tables.get("t_ebp")?;
    for (i, b) in net.boxes.iter().enumerate() {
        let d = cx.dates(Some(b.district));
        let code = cx.code("BP", i + 1);
        let log = match b.role {
            BoxRole::Bpe => v.bp_bpe,
            BoxRole::Pbo => v.bp_pbo,
        };
        t.set("bp_code", &code)
            .set("bp_etiquet", &code)
            .set("bp_perirec", &codes.perirec(Some(b.district)))
            .set("bp_pt_code", &cx.code("PT", b.node as usize + 1))
            .set("bp_abandon", x.no)
            .set("bp_prop", OPERATOR.code)
            .set("bp_gest", OPERATOR.code)
            .set("bp_proptyp", v.prop_build)
            .set("bp_statut", v.statut(b.phase))
            .set("bp_avct", v.avct(b.phase))
            .set("bp_typephy", v.box_type(b.fibres)?)
            .set("bp_typelog", log)
            .set("bp_rf_code", &box_ref(b.fibres));
        if b.phase == Phase::Rec {
            t.set("bp_dateins", &d.installed);
        }
        t.end_row();
    }
    Ok(())
}

fn paths_and_cables(
    codes: &Codes<'_>,
    x: &Extra,
    tables: &mut Tables,
) -> Result<(), GenerateError> {
    let (v, cx, net) = (&x.common, &codes.cx, codes.cx.net);
    let t = tables.get("t_cheminement")?;
    for (i, p) in net.paths.iter().enumerate() {
        let typelog = v.path_typelog(p);
        let (a, b) = (net.nodes[p.a as usize].local, net.nodes[p.b as usize].local);
        t.set("cm_code", &cx.code("CM", i + 1))
            .set("cm_perirec", &codes.perirec(p.district))
            .set("cm_ndcode1", &codes.node(p.a))
            .set("cm_ndcode2", &codes.node(p.b))
            .set("cm_prop", catalog::org(p.owner))
            .set("cm_gest", catalog::org(p.owner))
            .set("cm_statut", v.statut(p.phase))
            .set("cm_avct", v.avct(p.phase))
            .set("cm_typ_imp", v.implantation(p.laying, p.owner))
            .set("cm_typelog", typelog)
            .geometry(cx.line(&[a, b]));
        t.end_row();
    }
    let t = tables.get("t_cable")?;
    for (i, c) in net.cables.iter().enumerate() {
        let district = Some(c.district);
        let d = cx.dates(district);
        let code = cx.code("CB", i + 1);
        let length: f64 = c
            .route
            .iter()
            .map(|&p| net.path_length(&net.paths[p as usize]))
            .sum();
        let typelog = v.cable_typelog(c.role);
        t.set("cb_code", &code)
            .set("cb_etiquet", &code)
            .set("cb_perirec", &codes.perirec(district))
            .set("cb_nd1", &codes.node(c.a))
            .set("cb_nd2", &codes.node(c.b))
            .set("cb_abandon", x.no)
            .set("cb_fo_type", v.fo_type)
            .set("cb_prop", OPERATOR.code)
            .set("cb_gest", OPERATOR.code)
            .set("cb_proptyp", v.prop_build)
            .set("cb_statut", v.statut(c.phase))
            .set("cb_avct", v.avct(c.phase))
            .set("cb_typephy", v.cable)
            .set("cb_typelog", typelog)
            .set("cb_rf_code", &cable_ref(c.capacity))
            .set_fmt("cb_capafo", format_args!("{}", c.capacity))
            .set_fmt(
                "cb_fo_disp",
                format_args!("{}", c.capacity.saturating_sub(c.used)),
            )
            .set_fmt("cb_fo_util", format_args!("{}", c.used.min(c.capacity)))
            .set_fmt("cb_modulo", format_args!("{}", modulo(c.capacity)))
            .set_fmt("cb_lgreel", format_args!("{:.2}", length * 1.05));
        codes.cx.set_regions(t, "cb", district, 3);
        for (column, node) in [("cb_bp1", c.a), ("cb_bp2", c.b)] {
            if let Some(&b) = codes.box_at.get(&node) {
                t.set(column, &cx.code("BP", b + 1));
            }
        }
        if c.phase == Phase::Rec {
            t.set("cb_dateins", &d.installed);
        }
        t.end_row();
    }
    let t = tables.get("t_cableline")?;
    for (i, c) in net.cables.iter().enumerate() {
        t.set("cl_code", &cx.code("CL", i + 1))
            .set("cl_cb_code", &cx.code("CB", i + 1))
            .geometry(cx.line(&net.cable_line(c)));
        t.end_row();
    }
    let t = tables.get("t_cab_chem")?;
    for (i, c) in net.cables.iter().enumerate() {
        let cable = cx.code("CB", i + 1);
        for &p in &c.route {
            t.set("cc_cb_code", &cable)
                .set("cc_cm_code", &cx.code("CM", p as usize + 1));
            t.end_row();
        }
    }
    if !x.fibres {
        return Ok(());
    }
    let t = tables.get("t_fibre")?;
    for (i, c) in net.cables.iter().enumerate() {
        let cable = cx.code("CB", i + 1);
        let etat = v.etat(c.phase);
        let m = modulo(c.capacity);
        for f in 0..c.capacity {
            t.set_fmt("fo_code", format_args!("FO{}{:03}", &cable[2..], f + 1))
                .set("fo_cb_code", &cable)
                .set_fmt("fo_nincab", format_args!("{}", f + 1))
                .set_fmt("fo_numtub", format_args!("{}", f / m + 1))
                .set_fmt("fo_nintub", format_args!("{}", f % m + 1))
                .set("fo_etat", etat);
            t.end_row();
        }
    }
    Ok(())
}

/// Reception points (the physical chambers and poles) and the trenches the operator digs between them.
fn civil_works(codes: &Codes<'_>, x: &Extra, tables: &mut Tables) -> Result<(), GenerateError> {
    let (v, cx, net) = (&x.common, &codes.cx, codes.cx.net);
    let t = tables.get("t_pointaccueil")?;
    for (i, n) in net.nodes.iter().enumerate() {
        let NodeKind::Point { support } = n.kind else {
            continue;
        };
        let (phys, nature) = match support {
            Support::Chamber => (
                x.pa_chamber,
                x.pa_chamber_natures[i % x.pa_chamber_natures.len()],
            ),
            Support::Pole => (x.pa_pole, x.pa_pole_natures[i % x.pa_pole_natures.len()]),
        };
        t.set("pa_code", &cx.code("PA", i + 1))
            .set("pa_perirec", &codes.perirec(n.district))
            .set("pa_prop", catalog::org(n.owner))
            .set("pa_gest", catalog::org(n.owner))
            .set("pa_typephy", phys)
            .set("pa_nature", nature)
            .set("pa_dtclass", v.geoloc(n.phase).0)
            .set("pa_secu", x.no)
            .geometry(cx.point(n.local));
        if support == Support::Pole {
            t.set("pa_a_haut", pole_height(n.owner));
        }
        if n.phase == Phase::Rec && n.owner == Owner::Operator {
            t.set("pa_datecon", &cx.dates(n.district).installed);
        }
        t.end_row();
    }
    let point = |n: u32| matches!(net.nodes[n as usize].kind, NodeKind::Point { .. });
    let t = tables.get("t_tranchee")?;
    for (i, p) in net.paths.iter().enumerate() {
        let dug = p.laying == Laying::Underground && p.owner == Owner::Operator;
        if !dug || !point(p.a) || !point(p.b) {
            continue;
        }
        let (a, b) = (net.nodes[p.a as usize].local, net.nodes[p.b as usize].local);
        t.set("tr_code", &cx.code("TR", i + 1))
            .set("tr_perirec", &codes.perirec(p.district))
            .set_fmt("tr_compo", format_args!("{}xPEHD 28/32", p.ducts))
            .set("tr_couptyp", &catalog::trench_ref(i % 3 == 0))
            .set("tr_dtclass", v.geoloc(p.phase).0)
            .set_fmt(
                "tr_lgreel",
                format_args!("{:.2}", net.path_length(p) * 1.02),
            )
            .set("tr_pa1", &cx.code("PA", p.a as usize + 1))
            .set("tr_pa2", &cx.code("PA", p.b as usize + 1))
            .geometry(cx.line(&[a, b]));
        t.end_row();
    }
    Ok(())
}

fn premises(codes: &Codes<'_>, x: &Extra, tables: &mut Tables) -> Result<(), GenerateError> {
    let (v, cx, net) = (&x.common, &codes.cx, codes.cx.net);
    let t = tables.get("t_adresse")?;
    for (i, a) in net.addresses.iter().enumerate() {
        let phase = net.districts[a.district as usize].phase;
        let d = cx.dates(Some(a.district));
        let street = &net.streets[a.street as usize];
        t.set("ad_code", &cx.code("AD", i + 1))
            .set("ad_commune", &cx.commune_name)
            .set("ad_insee", net.commune.insee)
            .set("ad_nomvoie", &street.name)
            .set_fmt("ad_numero", format_args!("{}", a.number))
            .set_fmt("ad_nblres", format_args!("{}", a.hab))
            .set_fmt("ad_nblpro", format_args!("{}", a.pro))
            .set("ad_ietat", v.address_state(phase))
            .set("ad_racc", v.implantation(street.laying, street.owner))
            .set("ad_imneuf", x.no)
            .set("ad_isole", x.no)
            .set("ad_prio", x.no)
            .set("ad_raclong", x.no)
            .set("ad_iaccgst", x.boolean(a.building))
            .set("ad_datmodi", &d.updated[..10])
            .geometry(cx.point(a.local));
        if phase >= Phase::Exe {
            t.set("ad_idatsgn", &d.updated[..10]);
        }
        t.end_row();
    }
    let first_site = net.nodes.len() + 1;
    let t = tables.get("t_site")?;
    for (i, a) in net.addresses.iter().enumerate() {
        let street = &net.streets[a.street as usize];
        t.set("st_code", &cx.code("ST", first_site + i))
            .set("st_perirec", &codes.perirec(Some(a.district)))
            .set("st_ad_code", &cx.code("AD", i + 1))
            .set("st_abandon", x.no)
            .set("st_nra", x.no)
            .set(
                "st_statut",
                v.statut(net.districts[a.district as usize].phase),
            )
            .set("st_typephy", x.building)
            .set("st_typelog", x.client)
            .set("st_insee", net.commune.insee)
            .set("st_commune", &cx.commune_name)
            .set("st_nomvoie", &street.name)
            .set_fmt("st_numero", format_args!("{}", a.number));
        t.end_row();
    }
    // One premise (local) per plug; subscribers of deployed districts get a PTO in their premise.
    let mut outlets = Vec::new();
    let t = tables.get("t_local")?;
    let mut n = net.nodes.len();
    for (i, a) in net.addresses.iter().enumerate() {
        let phase = net.districts[a.district as usize].phase;
        for k in 0..a.hab + a.pro {
            n += 1;
            let code = cx.code("LC", n);
            t.set("lc_code", &code)
                .set("lc_perirec", &codes.perirec(Some(a.district)))
                .set("lc_st_code", &cx.code("ST", first_site + i))
                .set("lc_bp_codp", &cx.code("BP", a.pbo as usize + 1))
                .set("lc_abandon", x.no)
                .set("lc_statut", v.statut(phase))
                .set(
                    "lc_typelog",
                    if k < a.hab {
                        x.local_home
                    } else {
                        x.local_business
                    },
                );
            if phase == Phase::Rec && subscribed(i, k) {
                let pto = cx.code("BP", net.boxes.len() + outlets.len() + 1);
                t.set("lc_bp_codf", &pto);
                outlets.push((pto, code, a.district));
            }
            t.end_row();
        }
    }
    let t = tables.get("t_ebp")?;
    for (pto, local, district) in &outlets {
        let d = cx.dates(Some(*district));
        t.set("bp_code", pto)
            .set("bp_etiquet", pto)
            .set("bp_perirec", &codes.perirec(Some(*district)))
            .set("bp_lc_code", local)
            .set("bp_abandon", x.no)
            .set("bp_prop", OPERATOR.code)
            .set("bp_gest", DELEGATEE.code)
            .set("bp_proptyp", v.prop_build)
            .set("bp_statut", v.statut(Phase::Rec))
            .set("bp_avct", v.avct(Phase::Rec))
            .set("bp_typephy", v.bp_other)
            .set("bp_typelog", v.bp_pto)
            .set("bp_rf_code", &box_ref(0))
            .set("bp_dateins", &d.commercial);
        t.end_row();
    }
    Ok(())
}

fn zones(codes: &Codes<'_>, x: &Extra, tables: &mut Tables) -> Result<(), GenerateError> {
    let (v, cx, net) = (&x.common, &codes.cx, codes.cx.net);
    let zn = cx.code("ZN", 1);
    let t = tables.get("t_znro")?;
    t.set("zn_code", &zn)
        .set("zn_nd_code", &codes.node(net.nro))
        .set("zn_lc_code", &codes.room(net.nro))
        .set_fmt("zn_nom", format_args!("NRO {}", cx.commune_name))
        .set_fmt("zn_nroref", format_args!("NRO{}", net.commune.insee))
        .set("zn_etat", v.zone_state(net.nro_phase))
        .geometry(cx.polygon(&net.rect));
    codes.cx.set_regions(t, "zn", None, 2);
    t.end_row();
    let t = tables.get("t_zsro")?;
    for (i, z) in net.districts.iter().enumerate() {
        t.set("zs_code", &cx.code("ZS", i + 1))
            .set("zs_zn_code", &zn)
            .set("zs_lc_code", &codes.room(z.sro))
            .set_fmt("zs_nom", format_args!("PM{:03}", i + 1))
            .set_fmt(
                "zs_refpm",
                format_args!("PM-{}-{:03}", net.commune.insee, i + 1),
            )
            .set("zs_etatpm", v.zone_state(z.phase))
            .set("zs_actif", x.boolean(z.phase == Phase::Rec))
            .set_fmt("zs_capamax", format_args!("{}", sro_capacity(z.plugs)))
            .set_fmt("zs_nblogmt", format_args!("{}", z.plugs))
            .geometry(cx.polygon(&z.rect));
        codes.cx.set_regions(t, "zs", Some(i as u32), 3);
        t.end_row();
    }
    let t = tables.get("t_zdep")?;
    for (i, z) in net.districts.iter().enumerate() {
        t.set("zd_code", &cx.code("ZD", i + 1))
            .set("zd_nd_code", &codes.node(z.sro))
            .set("zd_zs_code", &cx.code("ZS", i + 1))
            .set("zd_statut", v.statut(z.phase))
            .geometry(cx.polygon(&z.rect));
        codes.cx.set_regions(t, "zd", Some(i as u32), 3);
        t.end_row();
    }
    Ok(())
}
