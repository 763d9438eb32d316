//! Any bytes as a GraceTHD CSV table.
#![no_main]

use libfuzzer_sys::fuzz_target;
use thd_read::context::FileContext;

fuzz_target!(|data: &[u8]| {
    let ctx = FileContext::new("t_noeud", "t_noeud.csv");
    let _ = thd_read::delimited::read_csv(data, &ctx);
});
