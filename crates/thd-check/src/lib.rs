//! Checks a decoded GraceTHD delivery against the control catalogue and as a graph: filling per phase, values, topology, routes, connectivity, zones, plugs.
