//! The controls this engine adds to the reference checker's catalogue: the network as a graph (routes,
//! connectivity, ducts, supports, node proximity). The reference checker's own controls keep their ids and
//! wording from the [catalogue](crate::catalogue).

thd_diag::declare_rules! {
    /// Every control of the engine's own, for catalogues, coverage tables and configuration.
    NODES_TOO_CLOSE = "graph.node.too_close", Topology, Warning,
        "Deux nœuds plus proches que la tolérance", "Two nodes closer than the tolerance",
        Some("Fusionner les deux nœuds ou les écarter : le graphe ne doit avoir qu'un nœud par point.");
    PATH_ZERO_LENGTH = "graph.path.zero_length", Topology, Error,
        "Cheminement de longueur nulle", "Path of zero length",
        Some("Supprimer le cheminement ou redessiner sa géométrie entre ses deux nœuds.");
    PATH_END_OFF_NODE = "graph.path.end_off_node", Topology, Error,
        "Extrémité du cheminement loin de son nœud déclaré", "Path end away from its declared node",
        Some("Accrocher l'extrémité sur le nœud déclaré (cm_ndcode1/cm_ndcode2) ou corriger le code du nœud.");
    PATH_SUPPORT = "graph.path.support", Business, Warning,
        "Support incohérent avec le mode de pose du cheminement", "Support inconsistent with the path's laying",
        Some("Un cheminement aérien aboutit sur un appui ou une façade, un cheminement souterrain dans une chambre.");
    CABLE_NO_ROUTE = "graph.cable.no_route", Topology, Warning,
        "Câble sans parcours déclaré", "Cable without a declared route",
        Some("Déclarer les conduites (t_cab_cond) ou cheminements (t_cab_chem) que le câble emprunte.");
    CABLE_ROUTE_BROKEN = "graph.cable.route_broken", Topology, Error,
        "Parcours du câble discontinu", "Cable route is not continuous",
        Some("Le parcours doit aller sans trou du premier au second nœud du câble (cb_nd1 → cb_nd2).");
    CABLE_LINE_OFF_ROUTE = "graph.cable.line_off_route", Topology, Warning,
        "Tracé du câble hors de son parcours", "Cable line leaves its route",
        Some("Redessiner t_cableline le long des cheminements du parcours déclaré.");
    CABLE_LENGTH = "graph.cable.length", Business, Warning,
        "Longueur du câble incohérente avec son parcours", "Cable length inconsistent with its route",
        Some("Vérifier cb_lgreel et le parcours déclaré (écart admis : 10 %).");
    PBO_CUT_OFF = "graph.connectivity.pbo", Topology, Error,
        "PBO non relié à son SRO par des câbles", "PBO not connected to its SRO through cables",
        Some("Compléter les câbles de distribution entre le SRO et le PBO.");
    SRO_CUT_OFF = "graph.connectivity.sro", Topology, Error,
        "SRO non relié à son NRO par des câbles", "SRO not connected to its NRO through cables",
        Some("Compléter les câbles de transport entre le NRO et le SRO.");
    ADDRESS_UNSERVED = "graph.connectivity.address", Business, Error,
        "Adresse avec prises non desservie par un PBO", "Address with plugs not served by a PBO",
        Some("Rattacher les sites utilisateurs (t_suf) à une zone PBO (sf_zp_code).");
    ADDRESS_OUTSIDE_ZONE = "graph.connectivity.address_zone", Business, Error,
        "Adresse hors de la zone du PBO qui la dessert", "Address outside the zone of the PBO serving it",
        Some("Corriger le rattachement (sf_zp_code) ou le contour de la zone PBO.");
    DUCT_NO_PATH = "graph.duct.no_path", Topology, Error,
        "Conduite posée dans aucun cheminement", "Duct laid in no path",
        Some("Déclarer le ou les cheminements de la conduite dans t_cond_chem.");
    DUCT_OVER_CAPACITY = "graph.duct.over_capacity", Business, Error,
        "Conduite trop remplie pour ses câbles", "Duct too full for its cables",
        Some("La section des câbles ne doit pas dépasser le taux de remplissage admis de la conduite.");
    DUCT_CABLE_COUNT = "graph.duct.cable_count", Business, Warning,
        "Nombre de câbles déclaré différent des câbles posés", "Declared cable count differs from the cables laid",
        Some("Mettre cd_nbcable en accord avec t_cab_cond.");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_do_not_clash_with_the_reference_catalogue() {
        let reference: HashSet<&str> = thd_model::catalogue::Catalogue::v2()
            .controls
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        let mut seen = HashSet::new();
        for rule in ALL {
            assert!(seen.insert(rule.id), "duplicate {}", rule.id);
            assert!(rule.id.starts_with("graph."), "{}", rule.id);
            assert!(!reference.contains(rule.id));
        }
    }
}
