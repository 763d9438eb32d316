// Labels in French (the default) and English: one dictionary per language, looked up by key, with {name}
// placeholders. The choice is kept in localStorage; switching re-renders the page (see app.js).

const DICT = {
  fr: {
    'app.title': 'thd — tableau de bord du déploiement',
    'nav.rollout': 'Déploiement', 'nav.map': 'Carte', 'nav.deliveries': 'Livraisons', 'nav.acceptance': 'Réception',
    'nav.services': 'Services numériques',
    'delivery': 'Livraison', 'delivery.none': 'Aucune livraison dans la base : déposez-en une (page Livraisons).',
    'delivery.option': 'n° {id} — {zone} — {date}',
    'token': 'Jeton', 'token.set': 'Jeton ✓', 'token.save': 'Enregistrer', 'token.clear': 'Effacer',
    'token.placeholder': 'thd_… (jeton d’API)', 'tiles': 'Fond de carte (URL de tuiles, facultatif)',
    'lang.switch': 'English',
    'loading': 'Chargement…', 'error': 'Erreur : {message}', 'none': 'Aucun',
    'error.auth': 'Accès refusé ({message}). Collez un jeton (en haut à droite).',
    // rollout
    'rollout.title': 'Déploiement : prévu, réalisé, prévision',
    'rollout.target': 'Prises du réseau', 'rollout.raccordable': 'Prises raccordables', 'rollout.share': 'Part raccordable',
    'rollout.pace': 'Rythme ({n} derniers mois)', 'rollout.pace.value': '{n} / mois', 'rollout.completion': 'Achèvement prévu',
    'rollout.completion.never': 'rythme nul', 'rollout.undated': 'Raccordables sans date', 'rollout.as_of': 'Au',
    'rollout.chart': 'Prises rendues raccordables par mois, cumul, plan et prévision',
    'rollout.log': 'Échelle logarithmique (le plan couvre tout le projet)',
    'series.monthly': 'Raccordables du mois', 'series.realised': 'Réalisé (cumul)', 'series.plan': 'Plan (cumul)',
    'series.forecast': 'Prévision (cumul)',
    'rollout.years': 'Par année et par phase', 'phase.all': 'Toutes phases', 'phase.none': '(sans phase)',
    'col.year': 'Année', 'col.phase': 'Phase', 'col.planned': 'Prévu', 'col.planned_cum': 'Prévu cumulé',
    'col.realised': 'Réalisé', 'col.realised_cum': 'Réalisé cumulé',
    'stats.title': 'Prises par département et par phase', 'col.department': 'Département', 'col.plugs': 'Prises',
    'col.premises': 'Locaux', 'col.raccordable': 'Raccordables',
    'cost.title': 'Coût par prise, par phase et département', 'col.works': 'Travaux', 'col.total': 'Coût total',
    'col.per_plug': 'Coût par prise', 'total': 'Total',
    'late.title': 'Zones en retard', 'late.none': 'Aucune zone en retard à cette date.', 'col.sro': 'Zone SRO',
    'col.due': 'Échéance', 'col.reasons': 'Causes',
    'reason.NotDelivered': 'travaux non livrés', 'reason.Delivered': 'livrée, réception non prononcée',
    'reason.Rejected': 'livraison refusée', 'reason.ReservationsOpen': 'réserves non levées',
    'reason.Accepted': 'reçue, pas encore mise en exploitation', 'reason.InOperation': 'en exploitation',
    'reason.pbo': '{n} prises sans PBO construit', 'reason.deployed': '{n} prises à des adresses non déployées',
    // map
    'map.layers': 'Couches', 'map.colour': 'Couleur selon', 'map.colour.phase': 'la phase (statut)',
    'map.colour.state': 'l’état', 'map.search': 'Commune (code INSEE) ou code d’objet', 'map.search.go': 'Chercher',
    'map.search.none': 'Introuvable : « {q} » (les codes d’objets sont cherchés dans la vue).',
    'map.defects': 'Défauts de la livraison', 'map.shown': '{n} affichés', 'map.truncated': '{n} / {m} : zoomez',
    'map.zoom': 'zoomez pour voir', 'map.defects.count': '{n} défauts localisés sur {m}',
    'layer.t_znro': 'Zones NRO', 'layer.t_zsro': 'Zones SRO', 'layer.t_zpbo': 'Zones PBO',
    'layer.t_cheminement': 'Cheminements', 'layer.t_cableline': 'Câbles', 'layer.t_noeud': 'Nœuds (chambres, appuis, sites)',
    'layer.t_ptech': 'Points techniques (chambres, appuis)', 'layer.t_ebp': 'Boîtiers (BPE, PBO)',
    'legend.pt.C': 'chambre', 'legend.pt.A': 'appui', 'legend.pt.F': 'ancrage façade', 'legend.pt.I': 'immeuble',
    'legend.bp.BPE': 'BPE (épissure)', 'legend.bp.PBO': 'PBO (branchement)', 'legend.bp.BPI': 'BPI (pied d’immeuble)',
    'legend.bp.PTO': 'PTO (prise)', 'legend.bp.DTI': 'DTI',
    'layer.t_adresse': 'Adresses (raccordabilité)', 'layer.outlines': 'Communes et département (emprise des zones)',
    'layer.defects': 'Défauts',
    'legend.PT': 'point technique', 'legend.ST': 'site technique', 'legend.SF': 'site client', 'legend.other': 'autre',
    'legend.CI': 'cible', 'legend.SI': 'signé', 'legend.EC': 'en cours', 'legend.DE': 'déployé (raccordable)',
    'legend.AB': 'abandonné',
    'sev.critical': 'critique', 'sev.error': 'erreur', 'sev.warning': 'avertissement', 'sev.info': 'information',
    'popup.rule': 'Règle', 'popup.object': 'Objet', 'popup.table': 'Table', 'popup.value': 'Valeur',
    // deliveries
    'deliveries.title': 'Livraisons', 'upload.title': 'Déposer une livraison (.zip ou .gpkg)',
    'upload.zone': 'Zone', 'upload.contractor': 'Entreprise', 'upload.label': 'Libellé', 'upload.go': 'Déposer',
    'upload.sending': 'Envoi : {p} %', 'upload.stage.queued': 'En attente', 'upload.stage.reading': 'Lecture des fichiers',
    'upload.stage.checking': 'Contrôles', 'upload.stage.importing': 'Import', 'upload.stage.done': 'Terminé',
    'upload.stage.failed': 'Échec', 'upload.already': 'Livraison déjà présente (n° {id}).',
    'upload.done': 'Livraison n° {id} importée : {n} lignes.', 'upload.nofile': 'Choisissez un fichier.',
    'upload.token': 'Le dépôt demande un jeton (en haut à droite).',
    'col.id': 'N°', 'col.zone': 'Zone', 'col.contractor': 'Entreprise', 'col.label': 'Libellé', 'col.version': 'GraceTHD',
    'col.received': 'Reçue', 'col.imported': 'Importée', 'col.rows': 'Lignes', 'col.previous': 'Précédente',
    'report.title': 'Rapport de la livraison n° {id}', 'report.severity': 'Par gravité', 'report.category': 'Par catégorie',
    'report.rule': 'Par règle', 'report.total': '{n} diagnostics', 'report.map': 'Défauts sur la carte',
    'report.list': 'Diagnostics', 'report.more': 'Suivants', 'report.prev': 'Précédents',
    'report.page': '{from}–{to} sur {n}', 'report.clean': 'Aucun diagnostic : livraison conforme.',
    'col.severity': 'Gravité', 'col.category': 'Catégorie', 'col.rule': 'Règle', 'col.table': 'Table',
    'col.object': 'Objet', 'col.message': 'Message', 'col.count': 'Nombre',
    'diff.title': 'Différences avec la livraison n° {id}', 'diff.title.none': 'Différences avec la livraison précédente', 'diff.none': 'Pas de livraison précédente pour cette zone.',
    'diff.same': 'Aucune différence.', 'col.added': 'Ajoutés', 'col.removed': 'Supprimés', 'col.changed': 'Modifiés',
    'diff.changes': 'Détail',
    'cat.structure': 'structure', 'cat.encoding': 'encodage', 'cat.value': 'valeurs', 'cat.list': 'listes',
    'cat.key': 'clés', 'cat.reference': 'références', 'cat.geometry': 'géométrie', 'cat.filling': 'remplissage',
    'cat.topology': 'topologie', 'cat.business': 'règles métier',
    // acceptance
    'acceptance.title': 'Réception des travaux', 'acceptance.scope': 'Livraison', 'acceptance.all': 'toutes',
    'acceptance.kind': 'Objet', 'kind.delivery': 'livraison', 'kind.sro': 'zone SRO', 'kind.pbo': 'zone PBO',
    'acceptance.by_state': 'Zones par état', 'acceptance.subjects': 'Sujets', 'acceptance.reservations': 'Réserves ouvertes',
    'acceptance.reservations.none': 'Aucune réserve ouverte.', 'acceptance.audit': 'Journal (dernières écritures)',
    'acceptance.subject': 'Historique de {subject}', 'col.state': 'État', 'col.in_operation': 'En exploitation le',
    'col.subject': 'Sujet', 'col.reason': 'Motif', 'col.due_on': 'À lever avant le', 'col.when': 'Quand',
    'col.who': 'Qui', 'col.from': 'De', 'col.to': 'Vers', 'col.action': 'Action', 'overdue': 'en retard',
    'state.received': 'reçue', 'state.under_inspection': 'en vérification', 'state.accepted': 'acceptée',
    'state.accepted_with_reservations': 'acceptée avec réserves', 'state.reservations_lifted': 'réserves levées',
    'state.in_operation': 'en exploitation', 'state.rejected': 'refusée',
    'action.register': 'enregistrement', 'action.transition': 'changement d’état', 'action.lift': 'levée de réserve',
    'svc.title': 'Services numériques aux collectivités', 'svc.kpi.services': 'Services', 'svc.kpi.bodies': 'Organismes',
    'svc.kpi.epci': 'EPCI', 'svc.kpi.communes': 'Communes', 'svc.kpi.using': 'Communes utilisatrices',
    'svc.map': 'Services utilisés par commune', 'svc.map.note': 'Chaque commune à son centre, colorée par le nombre de services qu’elle utilise (ses abonnements et ceux de son EPCI) ; les communes de la livraison choisie sont aussi remplies sur l’étendue de leurs zones SRO. Cliquer une commune pour ses services et son déploiement fibre.',
    'svc.count': '{n} service(s)', 'svc.pick': 'Choisir une commune sur la carte ou la chercher.',
    'svc.search': 'Commune (nom ou code INSEE)', 'svc.epci': 'EPCI : {name}', 'svc.fibre': 'Fibre (livraison choisie)',
    'svc.fibre.none': 'La livraison no {id} ne couvre pas cette commune.', 'svc.used': 'Services utilisés ({n})',
    'svc.used.none': 'Aucun service utilisé.', 'svc.service': 'Service', 'svc.through': 'Par', 'svc.itself': 'la commune',
    'svc.catalogue': 'Catalogue', 'svc.category': 'Catégorie', 'svc.offer': 'Offre', 'svc.since': 'Depuis',
    'svc.subscribers.col': 'Abonnés', 'svc.subscribers': 'Organismes abonnés ({n})', 'svc.subscribers.none': 'Aucun abonné dans le catalogue.',
    'svc.usage': 'Usage au fil des années', 'svc.indicator': 'Indicateur', 'svc.growth': 'Évolution', 'svc.log': 'Échelle logarithmique',
    'svc.funding': 'Financement : contribution forfaitaire des EPCI', 'svc.funding.note': 'Contribution annuelle par EPCI selon sa taille, couvrant toutes ses communes ; les membres (Région, départements, EPCI) versent aussi une contribution statutaire.',
    'svc.tariff': 'Tarif', 'svc.band': 'Tranche', 'svc.population': 'Population', 'svc.annual': 'Par an',
    'svc.published': 'Source', 'svc.yes': 'publié', 'svc.assumed': 'hypothèse', 'svc.contribution.go': 'Calculer',
    'svc.contribution.answer': '{eur} par an ({band}, tarif {year})',
    'svc.cat.procurement': 'marchés publics', 'svc.cat.dematerialisation': 'dématérialisation', 'svc.cat.archiving': 'archivage',
    'svc.cat.collaboration': 'collaboration', 'svc.cat.open-data': 'données ouvertes', 'svc.cat.support': 'accompagnement',
    'svc.cat.urban-planning': 'urbanisme',
    'svc.cat.mobility': 'mobilité', 'svc.cat.security': 'sécurité', 'svc.cat.compliance': 'conformité',
    'svc.offer.bundle': 'bouquet', 'svc.offer.cooperative': 'projet coopératif',
  },
  en: {
    'app.title': 'thd — rollout dashboard',
    'nav.rollout': 'Rollout', 'nav.map': 'Map', 'nav.deliveries': 'Deliveries', 'nav.acceptance': 'Acceptance',
    'nav.services': 'Digital services',
    'delivery': 'Delivery', 'delivery.none': 'No delivery in the store yet: upload one (Deliveries page).',
    'delivery.option': 'no. {id} — {zone} — {date}',
    'token': 'Token', 'token.set': 'Token ✓', 'token.save': 'Save', 'token.clear': 'Clear',
    'token.placeholder': 'thd_… (API token)', 'tiles': 'Background map (tile URL, optional)',
    'lang.switch': 'Français',
    'loading': 'Loading…', 'error': 'Error: {message}', 'none': 'None',
    'error.auth': 'Access refused ({message}). Paste a token (top right).',
    'rollout.title': 'Rollout: plan, realised, forecast',
    'rollout.target': 'Plugs of the network', 'rollout.raccordable': 'Raccordable plugs', 'rollout.share': 'Raccordable share',
    'rollout.pace': 'Pace (last {n} months)', 'rollout.pace.value': '{n} / month', 'rollout.completion': 'Forecast completion',
    'rollout.completion.never': 'no progress', 'rollout.undated': 'Raccordable, undated', 'rollout.as_of': 'As of',
    'rollout.chart': 'Plugs made raccordable per month, cumulative, plan and forecast',
    'rollout.log': 'Logarithmic scale (the plan covers the whole project)',
    'series.monthly': 'Raccordable in the month', 'series.realised': 'Realised (cumulative)', 'series.plan': 'Plan (cumulative)',
    'series.forecast': 'Forecast (cumulative)',
    'rollout.years': 'By year and phase', 'phase.all': 'All phases', 'phase.none': '(no phase)',
    'col.year': 'Year', 'col.phase': 'Phase', 'col.planned': 'Planned', 'col.planned_cum': 'Planned, cumulative',
    'col.realised': 'Realised', 'col.realised_cum': 'Realised, cumulative',
    'stats.title': 'Plugs by department and phase', 'col.department': 'Department', 'col.plugs': 'Plugs',
    'col.premises': 'Premises', 'col.raccordable': 'Raccordable',
    'cost.title': 'Cost per plug by phase and department', 'col.works': 'Works', 'col.total': 'Total cost',
    'col.per_plug': 'Cost per plug', 'total': 'Total',
    'late.title': 'Late zones', 'late.none': 'No late zone on this day.', 'col.sro': 'SRO zone',
    'col.due': 'Due', 'col.reasons': 'Reasons',
    'reason.NotDelivered': 'works not delivered', 'reason.Delivered': 'delivered, not accepted yet',
    'reason.Rejected': 'delivery rejected', 'reason.ReservationsOpen': 'reservations not lifted',
    'reason.Accepted': 'accepted, not in operation yet', 'reason.InOperation': 'in operation',
    'reason.pbo': '{n} plugs without a built PBO', 'reason.deployed': '{n} plugs at addresses not deployed',
    'map.layers': 'Layers', 'map.colour': 'Colour by', 'map.colour.phase': 'phase (status)',
    'map.colour.state': 'state', 'map.search': 'Commune (INSEE code) or object code', 'map.search.go': 'Search',
    'map.search.none': 'Not found: “{q}” (object codes are searched in the view).',
    'map.defects': 'Defects of the delivery', 'map.shown': '{n} shown', 'map.truncated': '{n} / {m}: zoom in',
    'map.zoom': 'zoom in to see', 'map.defects.count': '{n} located defects of {m}',
    'layer.t_znro': 'NRO zones', 'layer.t_zsro': 'SRO zones', 'layer.t_zpbo': 'PBO zones',
    'layer.t_cheminement': 'Paths', 'layer.t_cableline': 'Cables', 'layer.t_noeud': 'Nodes (chambers, poles, sites)',
    'layer.t_ptech': 'Technical points (chambers, poles)', 'layer.t_ebp': 'Boxes (splice closures, PBOs)',
    'legend.pt.C': 'chamber', 'legend.pt.A': 'pole', 'legend.pt.F': 'façade anchor', 'legend.pt.I': 'building',
    'legend.bp.BPE': 'BPE (splice closure)', 'legend.bp.PBO': 'PBO (branching point)', 'legend.bp.BPI': 'BPI (building foot)',
    'legend.bp.PTO': 'PTO (outlet)', 'legend.bp.DTI': 'DTI',
    'layer.t_adresse': 'Addresses (raccordabilité)', 'layer.outlines': 'Communes and department (extent of the zones)',
    'layer.defects': 'Defects',
    'legend.PT': 'technical point', 'legend.ST': 'technical site', 'legend.SF': 'customer site', 'legend.other': 'other',
    'legend.CI': 'target', 'legend.SI': 'signed', 'legend.EC': 'in progress', 'legend.DE': 'deployed (raccordable)',
    'legend.AB': 'abandoned',
    'sev.critical': 'critical', 'sev.error': 'error', 'sev.warning': 'warning', 'sev.info': 'info',
    'popup.rule': 'Rule', 'popup.object': 'Object', 'popup.table': 'Table', 'popup.value': 'Value',
    'deliveries.title': 'Deliveries', 'upload.title': 'Upload a delivery (.zip or .gpkg)',
    'upload.zone': 'Zone', 'upload.contractor': 'Contractor', 'upload.label': 'Label', 'upload.go': 'Upload',
    'upload.sending': 'Sending: {p} %', 'upload.stage.queued': 'Queued', 'upload.stage.reading': 'Reading the files',
    'upload.stage.checking': 'Checking', 'upload.stage.importing': 'Importing', 'upload.stage.done': 'Done',
    'upload.stage.failed': 'Failed', 'upload.already': 'Delivery already present (no. {id}).',
    'upload.done': 'Delivery no. {id} imported: {n} rows.', 'upload.nofile': 'Choose a file.',
    'upload.token': 'Uploading needs a token (top right).',
    'col.id': 'No.', 'col.zone': 'Zone', 'col.contractor': 'Contractor', 'col.label': 'Label', 'col.version': 'GraceTHD',
    'col.received': 'Received', 'col.imported': 'Imported', 'col.rows': 'Rows', 'col.previous': 'Previous',
    'report.title': 'Report of delivery no. {id}', 'report.severity': 'By severity', 'report.category': 'By category',
    'report.rule': 'By rule', 'report.total': '{n} diagnostics', 'report.map': 'Defects on the map',
    'report.list': 'Diagnostics', 'report.more': 'Next', 'report.prev': 'Previous',
    'report.page': '{from}–{to} of {n}', 'report.clean': 'No diagnostic: the delivery conforms.',
    'col.severity': 'Severity', 'col.category': 'Category', 'col.rule': 'Rule', 'col.table': 'Table',
    'col.object': 'Object', 'col.message': 'Message', 'col.count': 'Count',
    'diff.title': 'Changes since delivery no. {id}', 'diff.title.none': 'Changes since the previous delivery', 'diff.none': 'No previous delivery of this zone.',
    'diff.same': 'No change.', 'col.added': 'Added', 'col.removed': 'Removed', 'col.changed': 'Changed',
    'diff.changes': 'Detail',
    'cat.structure': 'structure', 'cat.encoding': 'encoding', 'cat.value': 'values', 'cat.list': 'lists',
    'cat.key': 'keys', 'cat.reference': 'references', 'cat.geometry': 'geometry', 'cat.filling': 'filling',
    'cat.topology': 'topology', 'cat.business': 'business rules',
    'acceptance.title': 'Acceptance of the works', 'acceptance.scope': 'Delivery', 'acceptance.all': 'all',
    'acceptance.kind': 'Subject', 'kind.delivery': 'delivery', 'kind.sro': 'SRO zone', 'kind.pbo': 'PBO zone',
    'acceptance.by_state': 'Zones by state', 'acceptance.subjects': 'Subjects', 'acceptance.reservations': 'Open reservations',
    'acceptance.reservations.none': 'No open reservation.', 'acceptance.audit': 'Audit trail (latest writes)',
    'acceptance.subject': 'History of {subject}', 'col.state': 'State', 'col.in_operation': 'In operation on',
    'col.subject': 'Subject', 'col.reason': 'Reason', 'col.due_on': 'Due on', 'col.when': 'When',
    'col.who': 'Who', 'col.from': 'From', 'col.to': 'To', 'col.action': 'Action', 'overdue': 'overdue',
    'state.received': 'received', 'state.under_inspection': 'under inspection', 'state.accepted': 'accepted',
    'state.accepted_with_reservations': 'accepted with reservations', 'state.reservations_lifted': 'reservations lifted',
    'state.in_operation': 'in operation', 'state.rejected': 'rejected',
    'action.register': 'registered', 'action.transition': 'transition', 'action.lift': 'reservation lifted',
    'svc.title': 'Digital services for public bodies', 'svc.kpi.services': 'Services', 'svc.kpi.bodies': 'Public bodies',
    'svc.kpi.epci': 'EPCI', 'svc.kpi.communes': 'Communes', 'svc.kpi.using': 'Communes using services',
    'svc.map': 'Services used per commune', 'svc.map.note': 'Each commune at its centre, coloured by how many services it uses (its own subscriptions and its EPCI’s); the communes of the chosen delivery are also filled over the extent of their SRO zones. Click a commune for its services and its fibre rollout.',
    'svc.count': '{n} service(s)', 'svc.pick': 'Pick a commune on the map or search for it.',
    'svc.search': 'Commune (name or INSEE code)', 'svc.epci': 'EPCI: {name}', 'svc.fibre': 'Fibre (chosen delivery)',
    'svc.fibre.none': 'Delivery no. {id} does not cover this commune.', 'svc.used': 'Services used ({n})',
    'svc.used.none': 'No service used.', 'svc.service': 'Service', 'svc.through': 'Through', 'svc.itself': 'the commune',
    'svc.catalogue': 'Catalogue', 'svc.category': 'Category', 'svc.offer': 'Offer', 'svc.since': 'Since',
    'svc.subscribers.col': 'Subscribers', 'svc.subscribers': 'Subscribing bodies ({n})', 'svc.subscribers.none': 'No subscriber in the catalogue.',
    'svc.usage': 'Usage over the years', 'svc.indicator': 'Indicator', 'svc.growth': 'Growth', 'svc.log': 'Logarithmic scale',
    'svc.funding': 'Funding: flat contribution of the EPCI', 'svc.funding.note': 'Annual contribution per EPCI by size, covering all its communes; members (Region, departments, EPCI) also pay a statutory contribution.',
    'svc.tariff': 'Tariff', 'svc.band': 'Band', 'svc.population': 'Population', 'svc.annual': 'Per year',
    'svc.published': 'Source', 'svc.yes': 'published', 'svc.assumed': 'assumed', 'svc.contribution.go': 'Compute',
    'svc.contribution.answer': '{eur} a year ({band}, {year} tariff)',
    'svc.offer.bundle': 'bundle', 'svc.offer.cooperative': 'cooperative project',
  },
};

const STORAGE_KEY = 'thd.lang';
let lang = DICT[localStorage.getItem(STORAGE_KEY)] ? localStorage.getItem(STORAGE_KEY) : 'fr';

export function getLang() {
  return lang;
}

export function setLang(next) {
  lang = DICT[next] ? next : 'fr';
  localStorage.setItem(STORAGE_KEY, lang);
  document.documentElement.lang = lang;
}

/** The label `key` in the current language with `{name}` replaced from `vars`; the key itself when unknown,
 * so a missing label shows up on screen instead of an empty cell. */
export function t(key, vars = {}) {
  const text = DICT[lang][key] ?? DICT.fr[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

/** `key` if the dictionary knows it, else `fallback`: for codes from the data that may have no label. */
export function tOr(key, fallback) {
  return DICT[lang][key] ?? fallback;
}

const locale = () => (lang === 'fr' ? 'fr-FR' : 'en-GB');

export function fmtInt(n) {
  return n == null ? '—' : new Intl.NumberFormat(locale(), { maximumFractionDigits: 0 }).format(n);
}

export function fmtEur(n) {
  return n == null
    ? '—'
    : new Intl.NumberFormat(locale(), { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 }).format(n);
}

export function fmtPct(part, whole) {
  return whole ? new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 1 }).format(part / whole) : '—';
}

/** A date (YYYY-MM-DD) or timestamp as the reader's calendar shows it. */
export function fmtDate(iso) {
  if (!iso) return '—';
  const date = new Date(iso.length === 10 ? `${iso}T00:00:00` : iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleDateString(locale());
}

export function fmtDateTime(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(locale());
}

/** A delivery diagnostic's message in the current language. */
export function message(diagnostic) {
  return (lang === 'en' ? diagnostic.message_en : diagnostic.message_fr) || diagnostic.message_fr || diagnostic.rule;
}
