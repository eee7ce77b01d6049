//! Loading and computing never panic, whatever bytes the CSV files hold: sample files are mutated
//! byte by byte (a fixed-seed generator, so failures reproduce) and every result must be Ok or errors.

use std::fs;
use std::path::Path;

use valuereport::load::load_customer;
use valuereport::quarter::Quarter;
use valuereport::value::compute;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const INTERESTING: &[&[u8]] = &[
    b",",
    b";",
    b"\t",
    b"\"",
    b"\n",
    b"\r\n",
    b"\xEF\xBB\xBF",
    b"\xFF",
    b"-",
    b".",
    b"%",
    b"$",
    b"..",
    b"",
    b"99999999999999999999999999999",
    b"0",
    b"-0.0000000000000000000000000001",
    b"2026-02-30",
    b"up",
    b"year",
];

fn mutate(rng: &mut Rng, bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for _ in 0..1 + rng.below(4) {
        if out.is_empty() {
            out.extend_from_slice(INTERESTING[rng.below(INTERESTING.len())]);
            continue;
        }
        let at = rng.below(out.len());
        match rng.below(4) {
            0 => out[at] = rng.next() as u8,
            1 => {
                let end = (at + rng.below(16)).min(out.len());
                out.drain(at..end);
            }
            2 => {
                let piece = INTERESTING[rng.below(INTERESTING.len())];
                out.splice(at..at, piece.iter().copied());
            }
            _ => out.truncate(at),
        }
    }
    out
}

#[test]
fn mutated_customer_files_never_panic() {
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    let customers = ["amer/acme-logistics", "emea/distribuciones-ibericas", "apac/sakura-seimitsu"];
    let files = ["account.csv", "goals.csv", "metrics.csv", "stories.csv", "opportunities.csv"];
    let work = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x5EED_1234_ABCD_0042);
    let (mut loaded, mut rejected) = (0, 0);
    for round in 0..400 {
        let customer = customers[round % customers.len()];
        let dir = work.path().join(format!("c{round}"));
        fs::create_dir_all(&dir).unwrap();
        for file in files {
            let original = fs::read(samples.join(customer).join(file)).unwrap();
            let bytes = if rng.below(3) == 0 { mutate(&mut rng, &original) } else { original };
            fs::write(dir.join(file), bytes).unwrap();
        }
        match load_customer(&dir) {
            Ok(customer) => {
                loaded += 1;
                for quarter in ["2026-Q3", "1999-Q1", "2100-Q4"] {
                    let _ = compute(&customer, quarter.parse::<Quarter>().unwrap());
                }
            }
            Err(errors) => {
                rejected += 1;
                assert!(!errors.is_empty());
                for error in errors {
                    assert!(error.file.starts_with(&dir), "{error}");
                    assert!(!error.to_string().is_empty());
                }
            }
        }
    }
    // Both paths were exercised.
    assert!(loaded > 20 && rejected > 20, "loaded {loaded}, rejected {rejected}");
}
