//! Any bytes as a `.dbf`: undeclared, declared UTF-8 and declared Windows-1252 (three decoding paths).
#![no_main]

use libfuzzer_sys::fuzz_target;
use thd_read::context::FileContext;
use thd_read::encoding::from_cpg;

fuzz_target!(|data: &[u8]| {
    let ctx = FileContext::new("t_noeud", "t_noeud.dbf");
    let _ = thd_read::dbf::read_dbf(data, &ctx, None);
    let _ = thd_read::dbf::read_dbf(data, &ctx, from_cpg(b"UTF-8"));
    let _ = thd_read::dbf::read_dbf(data, &ctx, from_cpg(b"1252"));
});
