#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| biasbench_fuzz::verify_csv(data));
