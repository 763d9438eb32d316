-- The digital-services catalogue, beside the delivery store in the same SQLite file. Every table is prefixed
-- svc_ so that it cannot collide with the store's thd_* tables or GraceTHD layers. Rows are read back in rowid
-- order, which is import order.

CREATE TABLE svc_service (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_fr     TEXT NOT NULL,
    category    TEXT NOT NULL,
    offer       TEXT NOT NULL,
    since       INTEGER,
    description TEXT NOT NULL
);

CREATE TABLE svc_indicator (
    id         TEXT PRIMARY KEY,
    service_id TEXT REFERENCES svc_service (id),
    label_en   TEXT NOT NULL,
    label_fr   TEXT NOT NULL
);

CREATE TABLE svc_funding_band (
    tariff_from    INTEGER NOT NULL,
    tariff_to      INTEGER NOT NULL,
    min_population INTEGER NOT NULL,
    max_population INTEGER,
    annual_eur     INTEGER NOT NULL,
    label          TEXT NOT NULL,
    published      INTEGER NOT NULL,
    PRIMARY KEY (tariff_from, tariff_to, min_population)
);

-- A commune may be imported before its EPCI in the same file: the reference is checked at commit.
CREATE TABLE svc_body (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    insee      TEXT,
    siren      TEXT,
    epci_id    TEXT REFERENCES svc_body (id) DEFERRABLE INITIALLY DEFERRED,
    population INTEGER,
    sample     INTEGER NOT NULL
);
CREATE INDEX svc_body_insee ON svc_body (insee);
CREATE INDEX svc_body_epci ON svc_body (epci_id);

CREATE TABLE svc_subscription (
    body_id    TEXT NOT NULL REFERENCES svc_body (id),
    service_id TEXT NOT NULL REFERENCES svc_service (id),
    since      INTEGER,
    PRIMARY KEY (body_id, service_id)
);

CREATE TABLE svc_usage (
    indicator_id TEXT NOT NULL REFERENCES svc_indicator (id),
    year         INTEGER NOT NULL,
    value        INTEGER NOT NULL,
    PRIMARY KEY (indicator_id, year)
);
