//! Per-stage cost of one team report, for an English and a Japanese customer:
//! load + validate → compute value → build content + lay out → write PDF (subset, compress, serialize).
//! Run with `cargo bench --bench stages`; results and how to read them: docs/performance.md.
//! Every round forgets the subset font programs and deflated attachments the round before made
//! (`forget_cached_streams`): the same report again would otherwise find them all cached, which a
//! new customer's does not.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use valuereport::batch::output::write_atomically;
use valuereport::batch::{report_pdf, ReportOptions};
use valuereport::content::catalog::Catalogs;
use valuereport::content::report::{build, Edition, ReportInput};
use valuereport::load::{load_customer, load_settings};
use valuereport::quarter::Quarter;
use valuereport::render::fonts::FontSet;
use valuereport::render::pdf::{forget_cached_streams, write, Paper};
use valuereport::render::report::lay_out;
use valuereport::value::compute;

fn sample(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data").join(relative)
}

fn stages(c: &mut Criterion) {
    let fonts = FontSet::shared();
    let catalogs = Catalogs::built_in();
    let settings = load_settings(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data")).unwrap();
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let quarter = Quarter::last_ended_on_or_before(as_of);
    for (name, dir) in [("en", sample("amer/acme-logistics")), ("ja", sample("apac/sakura-seimitsu"))] {
        let customer = load_customer(&dir).unwrap();
        let summary = compute(&customer, quarter).unwrap();
        let input = || ReportInput {
            customer: &customer,
            summary: &summary,
            settings: &settings,
            as_of,
            edition: Edition::Team,
            catalog: catalogs.get(customer.account.locale),
            locale: customer.account.locale,
            renewal: None,
        };
        let mut group = c.benchmark_group(format!("team report {name}"));
        group.bench_function("1 load + validate", |b| b.iter(|| load_customer(black_box(&dir)).unwrap()));
        group.bench_function("2 compute value", |b| b.iter(|| compute(black_box(&customer), quarter).unwrap()));
        group.bench_function("3 content + layout", |b| b.iter(|| lay_out(build(&input()).unwrap(), Paper::A4, fonts)));
        group.bench_function("4 write PDF", |b| {
            b.iter_batched(
                || lay_out(build(&input()).unwrap(), Paper::A4, fonts),
                |document| {
                    forget_cached_streams();
                    write(document, fonts)
                },
                criterion::BatchSize::SmallInput,
            )
        });
        let options = ReportOptions {
            settings: &settings,
            catalogs: &catalogs,
            quarter,
            as_of,
            edition: Edition::Team,
            paper: Paper::A4,
            renewal: None,
            locale: None,
            allow_stale: false,
            pdf_standard: Default::default(),
        };
        group.bench_function("end to end (load → PDF bytes)", |b| {
            b.iter(|| {
                forget_cached_streams();
                let customer = load_customer(&dir).unwrap();
                report_pdf(&customer, &options).unwrap()
            })
        });
        // The archival part (issue 15: XMP, output intent, attachments) against a plain PDF.
        let plain = ReportOptions {
            settings: &settings,
            catalogs: &catalogs,
            quarter,
            as_of,
            edition: Edition::Team,
            paper: Paper::A4,
            renewal: None,
            locale: None,
            allow_stale: false,
            pdf_standard: valuereport::render::archive::PdfStandard::None,
        };
        group.bench_function("end to end, plain PDF (--pdf-standard none)", |b| {
            b.iter(|| {
                forget_cached_streams();
                let customer = load_customer(&dir).unwrap();
                report_pdf(&customer, &plain).unwrap()
            })
        });
        // As the batch writes a report: a temporary file, fsync, rename.
        let scratch = std::env::temp_dir().join(format!("valuereport-bench-{}", std::process::id()));
        let path = scratch.join(format!("{name}-team.pdf"));
        group.bench_function("end to end (load → PDF on disk, fsync)", |b| {
            b.iter(|| {
                forget_cached_streams();
                let customer = load_customer(&dir).unwrap();
                let rendered = report_pdf(&customer, &options).unwrap();
                write_atomically(&path, &rendered.bytes).unwrap();
            })
        });
        let _ = std::fs::remove_dir_all(&scratch);
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(4));
    targets = stages
}
criterion_main!(benches);
