//! Any bytes as a GeoPackage geometry blob.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = thd_geo::gpkg::decode(data);
});
