-- The main topology controls of a GraceTHD 2.0.1 delivery as indexed PostGIS queries, the way engineers run them
-- after loading a delivery with ogr2ogr (scripts/bench_region.sh times them against `thd check`). Each query
-- counts the objects at fault; on a clean generated delivery every count is 0.

-- Path ends on their nodes: the first and last vertex of a path within 0.1 m of the nodes it declares.
select 'path ends off their nodes' as control, count(*) as faults
from t_cheminement c
left join t_noeud n1 on n1.nd_code = c.cm_ndcode1
left join t_noeud n2 on n2.nd_code = c.cm_ndcode2
where n1.geom is null or n2.geom is null
   or not st_dwithin(st_startpoint(c.geom), n1.geom, 0.1)
   or not st_dwithin(st_endpoint(c.geom), n2.geom, 0.1);

-- Cable ends on their nodes: a cable line starts at one end node of its cable and ends at the other.
select 'cable ends off their nodes' as control, count(*) as faults
from t_cableline l
join t_cable b on b.cb_code = l.cl_cb_code
left join t_noeud n1 on n1.nd_code = b.cb_nd1
left join t_noeud n2 on n2.nd_code = b.cb_nd2
where n1.geom is null or n2.geom is null
   or not ((st_dwithin(st_startpoint(l.geom), n1.geom, 0.1) and st_dwithin(st_endpoint(l.geom), n2.geom, 0.1))
        or (st_dwithin(st_startpoint(l.geom), n2.geom, 0.1) and st_dwithin(st_endpoint(l.geom), n1.geom, 0.1)));

-- Address in a zone: every address lies in an SRO zone (spatial index on the zones).
select 'addresses outside every SRO zone' as control, count(*) as faults
from t_adresse a
where not exists (select 1 from t_zsro z where st_intersects(z.geom, a.geom));

-- Zone nesting: each PBO zone inside the SRO zone it names, each SRO zone inside its NRO zone (shared borders allowed).
select 'PBO zones outside their SRO zone' as control, count(*) as faults
from t_zpbo p
left join t_zsro s on s.zs_code = p.zp_zs_code
where s.geom is null or not st_covers(s.geom, p.geom);

select 'SRO zones outside their NRO zone' as control, count(*) as faults
from t_zsro s
left join t_znro n on n.zn_code = s.zs_zn_code
where n.geom is null or not st_covers(n.geom, s.geom);
