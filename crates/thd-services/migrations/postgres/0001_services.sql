-- Version 1 of the digital-services catalogue in PostgreSQL: the same tables and columns as
-- ../sqlite/0001_services.sql, in the schema of the delivery store. Integers are BIGINT (SQLite's INTEGER is
-- 64-bit) and the yes/no columns BOOLEAN (SQLite keeps them as 0/1).
--
-- PostgreSQL has no rowid: each table has an identity column `seq`, which the reads order by so that rows come
-- back in import order, as SQLite's rowid gives them. Imports hold a lock on the tables while they write, so
-- numbers are drawn in commit order; a rolled-back import only leaves a gap.

CREATE TABLE svc_service (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_fr     TEXT NOT NULL,
    category    TEXT NOT NULL,
    offer       TEXT NOT NULL,
    since       BIGINT,
    description TEXT NOT NULL,
    seq         BIGINT GENERATED ALWAYS AS IDENTITY
);

CREATE TABLE svc_indicator (
    id         TEXT PRIMARY KEY,
    service_id TEXT REFERENCES svc_service (id),
    label_en   TEXT NOT NULL,
    label_fr   TEXT NOT NULL,
    seq        BIGINT GENERATED ALWAYS AS IDENTITY
);

CREATE TABLE svc_funding_band (
    tariff_from    BIGINT NOT NULL,
    tariff_to      BIGINT NOT NULL,
    min_population BIGINT NOT NULL,
    max_population BIGINT,
    annual_eur     BIGINT NOT NULL,
    label          TEXT NOT NULL,
    published      BOOLEAN NOT NULL,
    seq            BIGINT GENERATED ALWAYS AS IDENTITY,
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
    population BIGINT,
    sample     BOOLEAN NOT NULL,
    seq        BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX svc_body_insee ON svc_body (insee);
CREATE INDEX svc_body_epci ON svc_body (epci_id);

CREATE TABLE svc_subscription (
    body_id    TEXT NOT NULL REFERENCES svc_body (id),
    service_id TEXT NOT NULL REFERENCES svc_service (id),
    since      BIGINT,
    seq        BIGINT GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (body_id, service_id)
);

CREATE TABLE svc_usage (
    indicator_id TEXT NOT NULL REFERENCES svc_indicator (id),
    year         BIGINT NOT NULL,
    value        BIGINT NOT NULL,
    seq          BIGINT GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (indicator_id, year)
);
