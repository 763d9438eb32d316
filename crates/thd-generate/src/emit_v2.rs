//! GraceTHD v2.0.1 tables of a commune's network.
//!
//! Nodes carry chambers and poles (`t_ptech`) or sites (`t_sitetech` with one `t_ltech` room); paths carry ducts
//! (`t_conduite` through `t_cond_chem`); cables sit in one duct per path they follow (`t_cab_cond`), with their
//! geometry in `t_cableline` and one `t_fibre` row per fibre. Boxes are `t_ebp` (BPE, PBO, and a PTO for each
//! connected subscriber); premises are `t_adresse` points with one `t_suf` per plug; zones nest NRO ⊃ SRO ⊃ PBO.

use thd_model::{GraceVersion, RawTable};

use crate::GenerateError;
use crate::catalog::{self, DELEGATEE, OPERATOR, ORGS, box_ref, cable_ref, commune_org};
use crate::emit::{
    Context, Tables, boolean, cable_diameter, dated, geoloc_quality, geoloc_source, modulo,
    pole_height, sro_capacity, subscribed,
};
use crate::net::{
    BoxRole, CableRole, CommuneNet, NodeKind, Path, Phase, Support, TRANSPORT_PER_DUCT,
};
use crate::streets::{Laying, Owner};
use crate::vocab::Vocab;

const V: GraceVersion = GraceVersion::V2_0_1;

/// Codes only v2 writes, resolved in the v2 lists.
#[derive(Debug)]
pub struct Extra {
    common: Vocab,
    /// Whether to write `t_fibre` ([`crate::GenerateOptions::fibres`]).
    fibres: bool,
    nd_point: &'static str,
    nd_site: &'static str,
    nd_premises: &'static str,
    optical: &'static str,
    pt_pull: &'static str,
    pt_connect: &'static str,
    occupied: &'static str,
    site_shelter: &'static str,
    site_cabinet: &'static str,
    log_nro: &'static str,
    log_sro: &'static str,
    clim: &'static str,
    no_clim: &'static str,
    telecom: &'static str,
    trench: &'static str,
    micro_trench: &'static str,
    sidewalk: &'static str,
    duct_pvc: &'static str,
    duct_pehd: &'static str,
    duct_aerial: &'static str,
    nro_planned: &'static str,
    nro_works: &'static str,
    nro_deployed: &'static str,
    street_cabinet: &'static str,
    zmd: &'static str,
    suf_home: &'static str,
    suf_business: &'static str,
    suf_connected: &'static str,
    suf_connectable: &'static str,
    suf_planned: &'static str,
    /// `l_tube` codes of tubes 1, 2... (`1.1`, `1.2`...).
    tubes: Vec<&'static str>,
    ref_active: &'static str,
}

impl Extra {
    pub fn new(fibres: bool) -> Result<Self, GenerateError> {
        let common = Vocab::new(V)?;
        let l = common.lists;
        let tubes = (1..=60)
            .map(|t| l.code("l_tube", &format!("1.{t}")))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            fibres,
            nd_point: l.code("l_noeud_type", "PT")?,
            nd_site: l.code("l_noeud_type", "ST")?,
            nd_premises: l.code("l_noeud_type", "SF")?,
            optical: l.code("l_technologie_type", "OPT")?,
            pt_pull: l.code("l_ptech_type_log", "T")?,
            pt_connect: l.code("l_ptech_type_log", "R")?,
            occupied: l.code("l_occupation_type", "1.1")?,
            site_shelter: l.code("l_site_type_phy", "SHE")?,
            site_cabinet: l.code("l_site_type_phy", "ADR")?,
            log_nro: l.code("l_site_type_log", "NRO")?,
            log_sro: l.code("l_site_type_log", "SRO")?,
            clim: l.code("l_clim_type", "CLIM")?,
            no_clim: l.code("l_clim_type", "SANS")?,
            telecom: l.code("l_infra_nature", "TEL")?,
            trench: l.code("l_pose_type", "TRA")?,
            micro_trench: l.code("l_pose_type", "MIC")?,
            sidewalk: l.code("l_passage_type", "TROT")?,
            duct_pvc: l.code("l_conduite_type", "PVC")?,
            duct_pehd: l.code("l_conduite_type", "PEHD")?,
            duct_aerial: l.code("l_conduite_type", "AER")?,
            nro_planned: l.code("l_nro_etat", "PL")?,
            nro_works: l.code("l_nro_etat", "EC")?,
            nro_deployed: l.code("l_nro_etat", "DP")?,
            street_cabinet: l.code("l_sro_emplacement", "ADR")?,
            zmd: l.code("l_zone_densite", "3")?,
            suf_home: l.code("l_suf_type", "R")?,
            suf_business: l.code("l_suf_type", "P")?,
            suf_connected: l.code("l_suf_racco", "RA")?,
            suf_connectable: l.code("l_suf_racco", "RB")?,
            suf_planned: l.code("l_suf_racco", "PR")?,
            tubes,
            ref_active: l.code("l_reference_etat", "A")?,
            common,
        })
    }

    fn nro_state(&self, phase: Phase) -> &'static str {
        match phase {
            Phase::Rec => self.nro_deployed,
            Phase::Tvx | Phase::Exe => self.nro_works,
            _ => self.nro_planned,
        }
    }
}

/// The tables shared by all communes: organisations and equipment references.
pub fn global(x: &Extra) -> Result<Vec<RawTable>, GenerateError> {
    let mut tables = Tables::new(V);
    let created = crate::calendar::timestamp(0, 0);
    let t = tables.get("t_organisme")?;
    for org in ORGS {
        t.set("or_code", org.code)
            .set("or_nom", org.name)
            .set("or_type", org.kind)
            .set_opt("or_siren", org.siren)
            .set("or_creadat", &created);
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
            .set("rf_type", kind)
            .set("rf_fabric", r.maker)
            .set("rf_design", &r.design)
            .set("rf_etat", x.ref_active)
            .set("rf_creadat", &created);
        t.end_row();
    }
    tables.finish()
}

/// The tables of one commune's network.
pub fn commune(net: &CommuneNet, x: &Extra) -> Result<Vec<RawTable>, GenerateError> {
    let cx = Context::new(net);
    let mut tables = Tables::new(V);
    let t = tables.get("t_organisme")?;
    t.set("or_code", &commune_org(net.commune.insee))
        .set_fmt("or_nom", format_args!("COMMUNE DE {}", cx.commune_name))
        .set("or_type", "Collectivite")
        .set("or_commune", &cx.commune_name)
        .set("or_creadat", &cx.dates(None).created);
    t.end_row();
    nodes(&cx, x, &mut tables)?;
    paths(&cx, x, &mut tables)?;
    cables(&cx, x, &mut tables)?;
    boxes(&cx, x, &mut tables)?;
    premises(&cx, x, &mut tables)?;
    zones(&cx, x, &mut tables)?;
    tables.finish()
}

fn nodes(cx: &Context<'_>, x: &Extra, tables: &mut Tables) -> Result<(), GenerateError> {
    let v = &x.common;
    let net = cx.net;
    let t = tables.get("t_noeud")?;
    for (i, n) in net.nodes.iter().enumerate() {
        let d = cx.dates(n.district);
        let (class, mode) = v.geoloc(n.phase);
        let kind = if matches!(n.kind, NodeKind::Point { .. }) {
            x.nd_point
        } else {
            x.nd_site
        };
        t.set("nd_code", &cx.code("ND", i + 1))
            .set("nd_voie", &net.streets[n.street as usize].name)
            .set("nd_type", kind)
            .set("nd_type_ep", x.optical)
            .set("nd_dtclass", class)
            .set("nd_geolqlt", geoloc_quality(n.phase))
            .set("nd_geolmod", mode)
            .set("nd_geolsrc", geoloc_source(n.phase))
            .set("nd_creadat", &d.created)
            .set("nd_majdate", &d.updated);
        cx.set_regions(t, "nd", n.district, 3);
        match n.kind {
            NodeKind::Nro => t.set_fmt("nd_nom", format_args!("NRO {}", cx.commune_name)),
            NodeKind::Sro { district } => {
                t.set_fmt("nd_nom", format_args!("SRO PM{:03}", district + 1))
            }
            NodeKind::Point { .. } => t,
        };
        t.geometry(cx.point(n.local));
        t.end_row();
    }
    // The end-user sites of an address stand on a node at the address (`sf_nd_code`).
    for (i, a) in net.addresses.iter().enumerate() {
        let d = cx.dates(Some(a.district));
        let phase = net.districts[a.district as usize].phase;
        let (class, mode) = v.geoloc(phase);
        t.set("nd_code", &address_node(cx, i))
            .set("nd_voie", &net.streets[a.street as usize].name)
            .set("nd_type", x.nd_premises)
            .set("nd_type_ep", x.optical)
            .set("nd_dtclass", class)
            .set("nd_geolqlt", geoloc_quality(phase))
            .set("nd_geolmod", mode)
            .set("nd_geolsrc", geoloc_source(phase))
            .set("nd_creadat", &d.created)
            .set("nd_majdate", &d.updated);
        cx.set_regions(t, "nd", Some(a.district), 3);
        t.geometry(cx.point(a.local));
        t.end_row();
    }
    let road = commune_org(net.commune.insee);
    let t = tables.get("t_ptech")?;
    for (i, n) in net.nodes.iter().enumerate() {
        let NodeKind::Point { support } = n.kind else {
            continue;
        };
        let d = cx.dates(n.district);
        let (phys, nature) = v.ptech(support, i);
        let code = cx.code("PT", i + 1);
        t.set("pt_code", &code)
            .set("pt_etiquet", &code)
            .set("pt_nd_code", &cx.code("ND", i + 1))
            .set("pt_gest_do", &road)
            .set("pt_prop_do", &road)
            .set("pt_prop", catalog::org(n.owner))
            .set("pt_gest", catalog::org(n.owner))
            .set("pt_user", OPERATOR.code)
            .set("pt_proptyp", v.proptyp(n.owner))
            .set("pt_statut", v.statut(n.phase))
            .set("pt_etat", v.etat(n.phase))
            .set("pt_avct", v.avct(n.phase))
            .set("pt_typephy", phys)
            .set(
                "pt_typelog",
                if n.boxes > 0 { x.pt_connect } else { x.pt_pull },
            )
            .set("pt_nature", nature)
            .set("pt_secu", boolean(false))
            .set("pt_occp", x.occupied)
            .set("pt_detec", boolean(false))
            .set("pt_creadat", &d.created)
            .set("pt_majdate", &d.updated);
        if dated(n.phase) {
            t.set("pt_dateins", &d.installed)
                .set("pt_datemes", &d.commissioned);
        }
        if support == Support::Pole {
            t.set("pt_a_haut", pole_height(n.owner))
                .set("pt_a_passa", boolean(true));
        }
        t.end_row();
    }
    let t = tables.get("t_sitetech")?;
    for (i, n) in net.nodes.iter().enumerate() {
        let (phys, log, lines, name) = match n.kind {
            NodeKind::Nro => (
                x.site_shelter,
                x.log_nro,
                net.plugs(),
                format!("NRO {}", cx.commune_name),
            ),
            NodeKind::Sro { district } => {
                let plugs = net.districts[district as usize].plugs;
                (
                    x.site_cabinet,
                    x.log_sro,
                    sro_capacity(plugs),
                    format!("PM{:03}", district + 1),
                )
            }
            NodeKind::Point { .. } => continue,
        };
        let d = cx.dates(n.district);
        t.set("st_code", &cx.code("ST", i + 1))
            .set("st_nd_code", &cx.code("ND", i + 1))
            .set("st_nom", &name)
            .set_opt("st_ad_code", cx.site_address(n.district).as_deref())
            .set("st_prop", OPERATOR.code)
            .set("st_gest", OPERATOR.code)
            .set("st_user", DELEGATEE.code)
            .set("st_proptyp", v.prop_build)
            .set("st_statut", v.statut(n.phase))
            .set("st_etat", v.etat(n.phase))
            .set("st_avct", v.avct(n.phase))
            .set("st_typephy", phys)
            .set("st_typelog", log)
            .set_fmt("st_nblines", format_args!("{lines}"))
            .set("st_creadat", &d.created)
            .set("st_majdate", &d.updated);
        if dated(n.phase) {
            t.set("st_dateins", &d.installed)
                .set("st_datemes", &d.commissioned);
        }
        t.end_row();
    }
    let t = tables.get("t_ltech")?;
    for (i, n) in net.nodes.iter().enumerate() {
        let (clim, room) = match n.kind {
            NodeKind::Nro => (x.clim, "SHELTER NRO"),
            NodeKind::Sro { .. } => (x.no_clim, "ARMOIRE PM"),
            NodeKind::Point { .. } => continue,
        };
        let d = cx.dates(n.district);
        let code = cx.code("LT", i + 1);
        t.set("lt_code", &code)
            .set("lt_etiquet", &code)
            .set("lt_st_code", &cx.code("ST", i + 1))
            .set("lt_prop", OPERATOR.code)
            .set("lt_gest", OPERATOR.code)
            .set("lt_user", DELEGATEE.code)
            .set("lt_proptyp", v.prop_build)
            .set("lt_statut", v.statut(n.phase))
            .set("lt_etat", v.etat(n.phase))
            .set("lt_elec", boolean(true))
            .set("lt_clim", clim)
            .set("lt_local", room)
            .set("lt_occp", x.occupied)
            .set("lt_creadat", &d.created)
            .set("lt_majdate", &d.updated);
        if dated(n.phase) {
            t.set("lt_dateins", &d.installed)
                .set("lt_datemes", &d.commissioned);
        }
        t.end_row();
    }
    Ok(())
}

/// Fill ratio a duct is sized for: cables take at most this share of its inner cross-section (the checks allow
/// 60 %).
const DUCT_FILL: f64 = 0.5;

/// Inner and outer diameters (mm) of a path's ducts: the smallest standard size of its kind (operator PEHD from
/// 28/32, incumbent PVC from 42/45) that keeps the fullest duct of the path within [`DUCT_FILL`].
fn duct_size(path: &Path, fullest: f64) -> (u32, u32) {
    const PEHD: [(u32, u32); 7] = [
        (28, 32),
        (33, 40),
        (42, 50),
        (52, 60),
        (66, 75),
        (83, 90),
        (100, 110),
    ];
    const PVC: [(u32, u32); 5] = [(42, 45), (56, 60), (75, 80), (94, 100), (110, 125)];
    let sizes: &[(u32, u32)] = if path.owner == Owner::Operator {
        &PEHD
    } else {
        &PVC
    };
    let fits = |inner: u32| {
        let r = f64::from(inner) / 2.0;
        fullest <= DUCT_FILL * std::f64::consts::PI * r * r
    };
    sizes
        .iter()
        .copied()
        .find(|&(inner, _)| fits(inner))
        .unwrap_or(sizes[sizes.len() - 1])
}

/// Duct cable number `cable` takes in a path: transport in the first duct, distribution in the last; on a path
/// crowded with transport cables, these are spread over every duct but the distribution's.
pub fn duct_of(net: &CommuneNet, path: u32, role: CableRole, cable: usize) -> u32 {
    let p = &net.paths[path as usize];
    match role {
        CableRole::Transport if p.transports > TRANSPORT_PER_DUCT => {
            let shared = if p.distribution && p.ducts > 1 {
                p.ducts - 1
            } else {
                p.ducts
            };
            (cable % shared as usize) as u32
        }
        CableRole::Transport => 0,
        CableRole::Distribution => p.ducts - 1,
    }
}

fn duct_code(cx: &Context<'_>, path: u32, k: u32) -> String {
    format!("{}{}", cx.code("CD", path as usize + 1), k + 1)
}

fn paths(cx: &Context<'_>, x: &Extra, tables: &mut Tables) -> Result<(), GenerateError> {
    let v = &x.common;
    let net = cx.net;
    // Cables per duct, to fill cd_nbcable and cm_cddispo, and the cross-section they take, to size the ducts.
    let mut in_duct = vec![[0u32; 3]; net.paths.len()];
    let mut section = vec![[0f64; 3]; net.paths.len()];
    for (i, c) in net.cables.iter().enumerate() {
        let d = cable_diameter(c.capacity);
        for &p in &c.route {
            let k = duct_of(net, p, c.role, i) as usize;
            in_duct[p as usize][k] += 1;
            section[p as usize][k] += std::f64::consts::PI * d * d / 4.0;
        }
    }
    let sizes: Vec<(u32, u32)> = net
        .paths
        .iter()
        .zip(&section)
        .map(|(p, s)| duct_size(p, s.iter().copied().fold(0.0, f64::max)))
        .collect();
    let road = commune_org(net.commune.insee);
    let t = tables.get("t_cheminement")?;
    for (i, p) in net.paths.iter().enumerate() {
        let d = cx.dates(p.district);
        let (class, mode) = v.geoloc(p.phase);
        let typelog = v.path_typelog(p);
        let free = in_duct[i][..p.ducts as usize]
            .iter()
            .filter(|&&n| n == 0)
            .count();
        let length = net.path_length(p);
        t.set("cm_code", &cx.code("CM", i + 1))
            .set("cm_ndcode1", &cx.code("ND", p.a as usize + 1))
            .set("cm_ndcode2", &cx.code("ND", p.b as usize + 1))
            .set("cm_gest_do", &road)
            .set("cm_prop_do", &road)
            .set("cm_voie", &net.streets[p.street as usize].name)
            .set("cm_statut", v.statut(p.phase))
            .set("cm_etat", v.etat(p.phase))
            .set("cm_avct", v.avct(p.phase))
            .set("cm_typelog", typelog)
            .set("cm_typ_imp", v.implantation(p.laying, p.owner))
            .set("cm_nature", x.telecom)
            .set_fmt("cm_cddispo", format_args!("{free}"))
            .set(
                "cm_fildtec",
                boolean(p.laying == Laying::Underground && p.owner == Owner::Operator),
            )
            .set_fmt("cm_long", format_args!("{length:.2}"))
            .set("cm_dtclass", class)
            .set("cm_geolqlt", geoloc_quality(p.phase))
            .set("cm_geolmod", mode)
            .set("cm_geolsrc", geoloc_source(p.phase))
            .set("cm_creadat", &d.created)
            .set("cm_majdate", &d.updated);
        cx.set_regions(t, "cm", p.district, 3);
        match (p.laying, p.owner) {
            (Laying::Underground, Owner::Operator) => {
                let pose = if i % 3 == 0 { x.micro_trench } else { x.trench };
                let (int, ext) = sizes[i];
                t.set_fmt("cm_compo", format_args!("{}xPEHD {int}/{ext}", p.ducts))
                    .set("cm_mod_pos", pose)
                    .set("cm_passage", x.sidewalk);
            }
            (Laying::Underground, _) => {
                let (int, ext) = sizes[i];
                t.set_fmt("cm_compo", format_args!("1xPVC {int}/{ext}"));
            }
            (Laying::Aerial, _) => {}
        }
        if dated(p.phase) {
            // As-built length: measured along the ground, a little longer than the drawn line.
            t.set("cm_datcons", &d.installed)
                .set("cm_datemes", &d.commissioned)
                .set_fmt("cm_lgreel", format_args!("{:.2}", length * 1.02));
        }
        let (a, b) = (net.nodes[p.a as usize].local, net.nodes[p.b as usize].local);
        t.geometry(cx.line(&[a, b]));
        t.end_row();
    }
    let t = tables.get("t_conduite")?;
    for (i, p) in net.paths.iter().enumerate() {
        let d = cx.dates(p.district);
        let (kind, int, ext, color, comment) = match (p.laying, p.owner) {
            (Laying::Aerial, _) => (
                x.duct_aerial,
                None,
                None,
                None,
                "CONDUITE AERIENNE VIRTUELLE",
            ),
            (Laying::Underground, Owner::Operator) => (
                x.duct_pehd,
                Some(sizes[i].0),
                Some(sizes[i].1),
                Some("VERT"),
                "FOURREAU POSE PAR LE RESEAU",
            ),
            (Laying::Underground, _) => (
                x.duct_pvc,
                Some(sizes[i].0),
                Some(sizes[i].1),
                Some("GRIS"),
                "FOURREAU LOUE A L OPERATEUR HISTORIQUE",
            ),
        };
        let length = net.path_length(p);
        for k in 0..p.ducts {
            let code = duct_code(cx, i as u32, k);
            t.set("cd_code", &code)
                .set("cd_etiquet", &code)
                .set("cd_prop", catalog::org(p.owner))
                .set("cd_gest", catalog::org(p.owner))
                .set("cd_user", OPERATOR.code)
                .set("cd_proptyp", v.proptyp(p.owner))
                .set("cd_statut", v.statut(p.phase))
                .set("cd_etat", v.etat(p.phase))
                .set("cd_avct", v.avct(p.phase))
                .set("cd_type", kind)
                .set_opt("cd_color", color)
                .set("cd_comment", comment)
                .set_fmt("cd_long", format_args!("{length:.2}"))
                .set_fmt("cd_nbcable", format_args!("{}", in_duct[i][k as usize]))
                .set("cd_creadat", &d.created)
                .set("cd_majdate", &d.updated);
            cx.set_regions(t, "cd", p.district, 3);
            if let (Some(int), Some(ext)) = (int, ext) {
                t.set_fmt("cd_dia_int", format_args!("{int}"))
                    .set_fmt("cd_dia_ext", format_args!("{ext}"));
            }
            if dated(p.phase) {
                t.set("cd_datemes", &d.commissioned);
            }
            t.end_row();
        }
    }
    let t = tables.get("t_cond_chem")?;
    for (i, p) in net.paths.iter().enumerate() {
        let created = &cx.dates(p.district).created;
        for k in 0..p.ducts {
            t.set("dm_cd_code", &duct_code(cx, i as u32, k))
                .set("dm_cm_code", &cx.code("CM", i + 1))
                .set("dm_creadat", created);
            t.end_row();
        }
    }
    Ok(())
}

fn cables(cx: &Context<'_>, x: &Extra, tables: &mut Tables) -> Result<(), GenerateError> {
    let v = &x.common;
    let net = cx.net;
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
            .set("cb_nd1", &cx.code("ND", c.a as usize + 1))
            .set("cb_nd2", &cx.code("ND", c.b as usize + 1))
            .set("cb_prop", OPERATOR.code)
            .set("cb_gest", OPERATOR.code)
            .set("cb_user", DELEGATEE.code)
            .set("cb_proptyp", v.prop_build)
            .set("cb_statut", v.statut(c.phase))
            .set("cb_etat", v.etat(c.phase))
            .set("cb_avct", v.avct(c.phase))
            .set("cb_tech", x.optical)
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
            .set_fmt("cb_diam", format_args!("{:.1}", cable_diameter(c.capacity)))
            .set_fmt("cb_lgreel", format_args!("{:.2}", length * 1.05))
            .set("cb_creadat", &d.created)
            .set("cb_majdate", &d.updated);
        cx.set_regions(t, "cb", district, 3);
        if dated(c.phase) {
            t.set("cb_dateins", &d.installed)
                .set("cb_datemes", &d.commissioned);
        }
        t.end_row();
    }
    let t = tables.get("t_cableline")?;
    for (i, c) in net.cables.iter().enumerate() {
        let d = cx.dates(Some(c.district));
        let (class, mode) = v.geoloc(c.phase);
        let line = net.cable_line(c);
        let length: f64 = line
            .windows(2)
            .map(|w| ((w[0].0 - w[1].0).powi(2) + (w[0].1 - w[1].1).powi(2)).sqrt())
            .sum();
        t.set("cl_code", &cx.code("CL", i + 1))
            .set("cl_cb_code", &cx.code("CB", i + 1))
            .set_fmt("cl_long", format_args!("{length:.2}"))
            .set("cl_dtclass", class)
            .set("cl_geolqlt", geoloc_quality(c.phase))
            .set("cl_geolmod", mode)
            .set("cl_geolsrc", geoloc_source(c.phase))
            .set("cl_creadat", &d.created)
            .set("cl_majdate", &d.updated);
        t.geometry(cx.line(&line));
        t.end_row();
    }
    let t = tables.get("t_cab_cond")?;
    for (i, c) in net.cables.iter().enumerate() {
        let created = &cx.dates(Some(c.district)).created;
        let cable = cx.code("CB", i + 1);
        for &p in &c.route {
            t.set("cc_cb_code", &cable)
                .set("cc_cd_code", &duct_code(cx, p, duct_of(net, p, c.role, i)))
                .set("cc_creadat", created);
            t.end_row();
        }
    }
    if !x.fibres {
        return Ok(());
    }
    let t = tables.get("t_fibre")?;
    for (i, c) in net.cables.iter().enumerate() {
        let d = cx.dates(Some(c.district));
        let cable = cx.code("CB", i + 1);
        let etat = v.etat(c.phase);
        let m = modulo(c.capacity);
        for f in 0..c.capacity {
            let (tube, rank) = (f / m, f % m);
            t.set_fmt("fo_code", format_args!("FO{}{:03}", &cable[2..], f + 1))
                .set("fo_cb_code", &cable)
                .set_fmt("fo_nincab", format_args!("{}", f + 1))
                .set_fmt("fo_numtub", format_args!("{}", tube + 1))
                .set_fmt("fo_nintub", format_args!("{}", rank + 1))
                .set("fo_type", v.fo_type)
                .set("fo_etat", etat)
                .set("fo_color", v.fo_colors[rank as usize])
                .set("fo_reper", x.tubes[tube as usize])
                .set("fo_proptyp", v.prop_build)
                .set("fo_creadat", &d.created);
            t.end_row();
        }
    }
    Ok(())
}

fn boxes(cx: &Context<'_>, x: &Extra, tables: &mut Tables) -> Result<(), GenerateError> {
    let v = &x.common;
    let net = cx.net;
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
            .set("bp_pt_code", &cx.code("PT", b.node as usize + 1))
            .set("bp_prop", OPERATOR.code)
            .set("bp_gest", OPERATOR.code)
            .set("bp_user", DELEGATEE.code)
            .set("bp_proptyp", v.prop_build)
            .set("bp_statut", v.statut(b.phase))
            .set("bp_etat", v.etat(b.phase))
            .set("bp_avct", v.avct(b.phase))
            .set("bp_typephy", v.box_type(b.fibres)?)
            .set("bp_typelog", log)
            .set("bp_occp", x.occupied)
            .set("bp_rf_code", &box_ref(b.fibres))
            .set("bp_creadat", &d.created)
            .set("bp_majdate", &d.updated);
        if dated(b.phase) {
            t.set("bp_datemes", &d.commissioned);
        }
        t.end_row();
    }
    Ok(())
}

/// The code of the node standing at address `i` (numbered after the network's nodes).
fn address_node(cx: &Context<'_>, i: usize) -> String {
    cx.code("ND", cx.net.nodes.len() + i + 1)
}

fn premises(cx: &Context<'_>, x: &Extra, tables: &mut Tables) -> Result<(), GenerateError> {
    let v = &x.common;
    let net = cx.net;
    let t = tables.get("t_adresse")?;
    for (i, a) in net.addresses.iter().enumerate() {
        let district = &net.districts[a.district as usize];
        let d = cx.dates(Some(a.district));
        let street = &net.streets[a.street as usize];
        let (wx, wy) = net.world(a.local);
        t.set("ad_code", &cx.code("AD", i + 1))
            .set_fmt(
                "ad_ban_id",
                format_args!("{}_{}_{:05}", net.commune.insee, street.fantoir, a.number),
            )
            .set("ad_nomvoie", &street.name)
            .set("ad_fantoir", &street.fantoir)
            .set_fmt("ad_numero", format_args!("{}", a.number))
            .set("ad_insee", net.commune.insee)
            .set_fmt("ad_x_ban", format_args!("{wx:.2}"))
            .set_fmt("ad_y_ban", format_args!("{wy:.2}"))
            .set("ad_commune", &cx.commune_name)
            .set("ad_nat", boolean(false))
            .set_fmt("ad_nblhab", format_args!("{}", a.hab))
            .set_fmt("ad_nblpro", format_args!("{}", a.pro))
            .set_fmt("ad_nbprhab", format_args!("{}", a.hab))
            .set_fmt("ad_nbprpro", format_args!("{}", a.pro))
            .set("ad_isole", boolean(false))
            .set("ad_prio", boolean(false))
            .set("ad_racc", v.implantation(street.laying, street.owner))
            .set("ad_ietat", v.address_state(district.phase))
            .set("ad_itypeim", if a.building { v.building } else { v.house })
            .set("ad_imneuf", boolean(false))
            .set("ad_iaccgst", boolean(a.building))
            .set("ad_typzone", x.zmd)
            .set("ad_geolqlt", "1.00")
            .set("ad_geolmod", v.mode_cadastre)
            .set("ad_geolsrc", "BAN")
            .set("ad_creadat", &d.created)
            .set("ad_majdate", &d.updated);
        if district.phase == Phase::Rec {
            t.set("ad_idatcab", &d.installed)
                .set("ad_idatcom", &d.commercial);
        }
        t.geometry(cx.point(a.local));
        t.end_row();
    }
    // One end-user site per plug, each with its optical outlet (PTO): `ad_nbprhab + ad_nbprpro` counts them.
    let mut outlets = Vec::new();
    let t = tables.get("t_suf")?;
    let mut n = 0;
    for (i, a) in net.addresses.iter().enumerate() {
        let phase = net.districts[a.district as usize].phase;
        let created = &cx.dates(Some(a.district)).created;
        for k in 0..a.hab + a.pro {
            n += 1;
            let code = cx.code("SF", n);
            let racco = match phase {
                Phase::Rec if subscribed(i, k) => x.suf_connected,
                Phase::Rec => x.suf_connectable,
                _ => x.suf_planned,
            };
            outlets.push((code.clone(), a.district, phase));
            t.set("sf_code", &code)
                .set("sf_nd_code", &address_node(cx, i))
                .set("sf_ad_code", &cx.code("AD", i + 1))
                .set("sf_zp_code", &cx.code("ZP", a.pbo as usize + 1))
                .set(
                    "sf_type",
                    if k < a.hab {
                        x.suf_home
                    } else {
                        x.suf_business
                    },
                )
                .set("sf_racco", racco)
                .set("sf_creadat", created);
            t.end_row();
        }
    }
    let t = tables.get("t_ebp")?;
    for (k, (suf, district, phase)) in outlets.iter().enumerate() {
        let (district, phase) = (*district, *phase);
        let d = cx.dates(Some(district));
        let code = cx.code("BP", net.boxes.len() + k + 1);
        t.set("bp_code", &code)
            .set("bp_etiquet", &code)
            .set("bp_sf_code", suf)
            .set("bp_prop", OPERATOR.code)
            .set("bp_gest", DELEGATEE.code)
            .set("bp_user", DELEGATEE.code)
            .set("bp_proptyp", v.prop_build)
            .set("bp_statut", v.statut(phase))
            .set("bp_etat", v.etat(phase))
            .set("bp_avct", v.avct(phase))
            .set("bp_typephy", v.bp_other)
            .set("bp_typelog", v.bp_pto)
            .set("bp_occp", x.occupied)
            .set("bp_rf_code", &box_ref(0))
            .set("bp_creadat", &d.created);
        if phase == Phase::Rec {
            t.set("bp_datemes", &d.commercial);
        }
        t.end_row();
    }
    Ok(())
}

fn zones(cx: &Context<'_>, x: &Extra, tables: &mut Tables) -> Result<(), GenerateError> {
    let v = &x.common;
    let net = cx.net;
    let zn = cx.code("ZN", 1);
    let d = cx.dates(None);
    let t = tables.get("t_znro")?;
    t.set("zn_code", &zn)
        .set("zn_nd_code", &cx.code("ND", net.nro as usize + 1))
        .set_fmt("zn_nroref", format_args!("NRO{}", net.commune.insee))
        .set("zn_nrotype", v.pon)
        .set("zn_etat", x.nro_state(net.nro_phase))
        .set("zn_etatlpm", x.nro_state(net.nro_phase))
        .set("zn_geolsrc", "ETUDE")
        .set("zn_creadat", &d.created)
        .set("zn_majdate", &d.updated);
    cx.set_regions(t, "zn", None, 3);
    if net.nro_phase == Phase::Rec {
        t.set("zn_datelpm", &d.commissioned);
    }
    t.geometry(cx.polygon(&net.rect));
    t.end_row();
    let t = tables.get("t_zsro")?;
    for (i, z) in net.districts.iter().enumerate() {
        let d = cx.dates(Some(i as u32));
        let built = z.phase == Phase::Rec;
        t.set("zs_code", &cx.code("ZS", i + 1))
            .set("zs_nd_code", &cx.code("ND", z.sro as usize + 1))
            .set("zs_zn_code", &zn)
            .set_fmt(
                "zs_refpm",
                format_args!("PM-{}-{:03}", net.commune.insee, i + 1),
            )
            .set("zs_etatpm", v.zone_state(z.phase))
            .set("zs_typeemp", x.street_cabinet)
            .set_fmt("zs_capamax", format_args!("{}", sro_capacity(z.plugs)))
            .set("zs_typeing", "MONO")
            .set_opt("zs_ad_code", cx.site_address(Some(i as u32)).as_deref())
            .set_fmt("zs_nblogmt", format_args!("{}", z.plugs))
            .set("zs_actif", boolean(built))
            .set("zs_accgest", boolean(false))
            .set("zs_brassoi", boolean(false))
            .set("zs_geolsrc", "ETUDE")
            .set("zs_creadat", &d.created)
            .set("zs_majdate", &d.updated);
        cx.set_regions(t, "zs", Some(i as u32), 3);
        if built {
            t.set("zs_dateins", &d.installed)
                .set("zs_datemad", &d.available)
                .set("zs_datcomr", &d.commercial);
        }
        t.geometry(cx.polygon(&z.rect));
        t.end_row();
    }
    let t = tables.get("t_zpbo")?;
    for z in &net.zpbos {
        let b = &net.boxes[z.pbo as usize];
        let d = cx.dates(Some(b.district));
        t.set("zp_code", &cx.code("ZP", z.pbo as usize + 1))
            .set("zp_nd_code", &cx.code("ND", b.node as usize + 1))
            .set("zp_zs_code", &cx.code("ZS", b.district as usize + 1))
            .set_fmt("zp_capamax", format_args!("{}", b.fibres))
            .set("zp_geolsrc", "ETUDE")
            .set("zp_creadat", &d.created)
            .set("zp_majdate", &d.updated);
        cx.set_regions(t, "zp", Some(b.district), 3);
        t.geometry(cx.polygon(&z.rect));
        t.end_row();
    }
    let t = tables.get("t_zdep")?;
    for (i, z) in net.districts.iter().enumerate() {
        let d = cx.dates(Some(i as u32));
        t.set("zd_code", &cx.code("ZD", i + 1))
            .set("zd_nd_code", &cx.code("ND", z.sro as usize + 1))
            .set("zd_zs_code", &cx.code("ZS", i + 1))
            .set("zd_prop", OPERATOR.code)
            .set("zd_gest", DELEGATEE.code)
            .set("zd_statut", v.statut(z.phase))
            .set("zd_geolsrc", "ETUDE")
            .set("zd_creadat", &d.created)
            .set("zd_majdate", &d.updated);
        cx.set_regions(t, "zd", Some(i as u32), 3);
        t.geometry(cx.polygon(&z.rect));
        t.end_row();
    }
    Ok(())
}
