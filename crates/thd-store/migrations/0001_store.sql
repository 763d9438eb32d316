-- Version 1 of the store: the mandatory GeoPackage 1.3 tables (so QGIS and GDAL open the file) and the
-- history of deliveries. Data tables (one per GraceTHD table and model version) are created on import.

CREATE TABLE gpkg_spatial_ref_sys (
    srs_name TEXT NOT NULL,
    srs_id INTEGER PRIMARY KEY,
    organization TEXT NOT NULL,
    organization_coordsys_id INTEGER NOT NULL,
    definition TEXT NOT NULL,
    description TEXT
);

CREATE TABLE gpkg_contents (
    table_name TEXT NOT NULL PRIMARY KEY,
    data_type TEXT NOT NULL,
    identifier TEXT UNIQUE,
    description TEXT DEFAULT '',
    last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
    srs_id INTEGER,
    CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id)
);

CREATE TABLE gpkg_geometry_columns (
    table_name TEXT NOT NULL,
    column_name TEXT NOT NULL,
    geometry_type_name TEXT NOT NULL,
    srs_id INTEGER NOT NULL,
    z TINYINT NOT NULL,
    m TINYINT NOT NULL,
    CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
    CONSTRAINT uk_gc_table_name UNIQUE (table_name),
    CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents (table_name),
    CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id)
);

INSERT INTO gpkg_spatial_ref_sys VALUES
    ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
    ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
    ('WGS 84 geodetic', 4326, 'EPSG', 4326,
     'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]',
     'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid'),
    ('RGF93 v1 / Lambert-93', 2154, 'EPSG', 2154,
     'PROJCS["RGF93 / Lambert-93",GEOGCS["RGF93",DATUM["Reseau_Geodesique_Francais_1993",SPHEROID["GRS 1980",6378137,298.257222101,AUTHORITY["EPSG","7019"]],TOWGS84[0,0,0,0,0,0,0],AUTHORITY["EPSG","6171"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4171"]],PROJECTION["Lambert_Conformal_Conic_2SP"],PARAMETER["standard_parallel_1",49],PARAMETER["standard_parallel_2",44],PARAMETER["latitude_of_origin",46.5],PARAMETER["central_meridian",3],PARAMETER["false_easting",700000],PARAMETER["false_northing",6600000],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["X",EAST],AXIS["Y",NORTH],AUTHORITY["EPSG","2154"]]',
     'the projection of GraceTHD deliveries');

-- One row per delivery. `fingerprint` is the SHA-256 of the sorted SHA-256 of its files (of its content when it
-- has no files), so a re-delivery of the same files is found by one index lookup.
CREATE TABLE thd_delivery (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    fingerprint TEXT NOT NULL UNIQUE,
    version TEXT NOT NULL,
    origin TEXT NOT NULL,
    contractor TEXT,
    zone TEXT,
    label TEXT,
    received_at TEXT,
    imported_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    phase TEXT,
    previous_id INTEGER REFERENCES thd_delivery (id),
    rows INTEGER NOT NULL
);
CREATE INDEX thd_delivery_zone ON thd_delivery (zone, id);

CREATE TABLE thd_delivery_file (
    delivery_id INTEGER NOT NULL REFERENCES thd_delivery (id),
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (delivery_id, path)
);

-- How each delivered table was laid out: its file and format, and its columns in delivered order mapped to the
-- columns of the data table (`columns` is a JSON array of [delivered name, stored name]); `spatial` tells a
-- table delivered with a geometry per row from one without.
CREATE TABLE thd_delivery_table (
    delivery_id INTEGER NOT NULL REFERENCES thd_delivery (id),
    table_name TEXT NOT NULL,
    store_table TEXT NOT NULL,
    file TEXT NOT NULL,
    format TEXT,
    columns TEXT NOT NULL,
    spatial INTEGER NOT NULL,
    rows INTEGER NOT NULL,
    PRIMARY KEY (delivery_id, table_name)
);

-- Every diagnostic of a delivery, whole as JSON, with the fields summaries group by. `stage` is `read` for
-- what the reader found (given back by `load`) and `check` for what later checks found.
CREATE TABLE thd_diagnostic (
    delivery_id INTEGER NOT NULL REFERENCES thd_delivery (id),
    seq INTEGER NOT NULL,
    stage TEXT NOT NULL,
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    table_name TEXT,
    json TEXT NOT NULL,
    PRIMARY KEY (delivery_id, seq)
);
