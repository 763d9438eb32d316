-- What the SQL controls need after an ogr2ogr load: spatial indexes on the geometries they search, b-tree
-- indexes on the codes they join on, and fresh planner statistics.
create index on t_noeud using gist (geom);
create index on t_noeud (nd_code);
create index on t_cheminement using gist (geom);
create index on t_cableline using gist (geom);
create index on t_cableline (cl_cb_code);
create index on t_cable (cb_code);
create index on t_adresse using gist (geom);
create index on t_zsro using gist (geom);
create index on t_zsro (zs_code);
create index on t_znro (zn_code);
create index on t_zpbo using gist (geom);
analyze;
