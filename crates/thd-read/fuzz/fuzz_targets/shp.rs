//! Any bytes as a `.shp` alone, and split in two as a `.shp` and its `.shx`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use thd_read::context::FileContext;

fuzz_target!(|data: &[u8]| {
    let ctx = FileContext::new("t_noeud", "t_noeud.shp");
    let _ = thd_read::shp::read_shp(data, None, &ctx);
    let (shp, shx) = data.split_at(data.len() / 2);
    let _ = thd_read::shp::read_shp(shp, Some((shx, "t_noeud.shx")), &ctx);
});
