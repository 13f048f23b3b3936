//! No input makes the library panic: random mutations of a valid table are
//! either audited or rejected with an error.

use biasbench::app::audit::VerifyJob;
use biasbench::engine::verify::VerifyOptions;
use biasbench::input::{Table, VerifyColumns};
use rand::{Rng, SeedableRng};

#[test]
fn mutated_inputs_never_panic() {
    let base = b"subject_a,subject_b,mated,score,race_a,race_b\ns1,s1,1,0.9,A,A\ns1,s2,0,0.2,A,B\ns2,s2,yes,0.7,B,B\ns2,s3,0,-1e3,B,\n";
    let job = VerifyJob {
        columns: VerifyColumns {
            attrs: vec!["race".into()],
            ..Default::default()
        },
        options: VerifyOptions::default(),
        command: vec![],
        reproducible: true,
        bootstrap: None,
    };
    let alphabet = b",\n\"\t01ab.-eE;|\xff ";
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let (mut ok, mut err) = (0, 0);
    for _ in 0..2000 {
        let mut bytes = base.to_vec();
        for _ in 0..rng.random_range(1..6) {
            let i = rng.random_range(0..bytes.len());
            match rng.random_range(0..3) {
                0 => bytes[i] = alphabet[rng.random_range(0..alphabet.len())],
                1 => {
                    bytes.remove(i);
                }
                _ => bytes.insert(i, alphabet[rng.random_range(0..alphabet.len())]),
            }
        }
        let result = Table::from_reader(
            "m.csv".into(),
            Box::new(std::io::Cursor::new(bytes)),
            Default::default(),
        )
        .and_then(|t| job.run(t));
        match result {
            Ok(r) => {
                assert!(r.accounting.balanced());
                ok += 1;
            }
            Err(e) => {
                assert!(
                    e.to_string().contains("m.csv"),
                    "error without the file name: {e}"
                );
                err += 1;
            }
        }
    }
    assert!(ok > 100 && err > 100, "ok {ok}, err {err}");
}
