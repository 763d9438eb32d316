//! Any bytes as a zip archive, inflating at most 16 MiB (the real cap is 4 GiB, too much for a fuzzer's memory).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = thd_read::archive::unpack_within(data, 16 << 20);
});
