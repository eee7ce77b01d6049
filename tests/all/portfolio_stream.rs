//! The portfolio as `run` writes it — laid out and written page by page
//! (`render::stream::render_pdf_streamed`) — is byte-identical to the portfolio laid out whole
//! (`render::report::render_pdf_with`), tagged (the default) and plain, in every language, on A4
//! and Letter, at a few pages and at dozens.

use valuereport::content::portfolio::{build, PortfolioInput};
use valuereport::model::Locale;
use valuereport::render::archive::Archive;
use valuereport::render::fonts::FontSet;
use valuereport::render::pdf::Paper;

use super::portfolio::{day, rows, settings};

fn both(count: usize, locale: Locale, paper: Paper, tagged: bool) -> ((Vec<u8>, u32), (Vec<u8>, u32)) {
    let rows = rows(count);
    let settings = settings(locale);
    let input = PortfolioInput {
        rows: &rows,
        settings: &settings,
        quarter: "2026-Q3".parse().unwrap(),
        as_of: day("2026-11-22"),
    };
    let archive = || tagged.then(|| Archive { lang: locale.to_string(), attachments: Vec::new(), tagged: true });
    let fonts = FontSet::shared();
    let whole = valuereport::render::report::render_pdf_with(build(&input), paper, fonts, archive());
    let streamed = valuereport::render::stream::render_pdf_streamed(build(&input), paper, fonts, archive());
    (whole, streamed)
}

#[test]
fn the_streamed_portfolio_is_the_portfolio_laid_out_whole() {
    let cases = [
        (8, Locale::En, Paper::A4, true),
        (8, Locale::Ja, Paper::Letter, false),
        (45, Locale::Es, Paper::A4, false),
        (45, Locale::Ms, Paper::Letter, true),
        (400, Locale::En, Paper::A4, true),
        (150, Locale::Ja, Paper::A4, false),
    ];
    for (count, locale, paper, tagged) in cases {
        let ((whole, whole_pages), (streamed, streamed_pages)) = both(count, locale, paper, tagged);
        let case = format!("{count} customers, {locale:?}, {paper:?}, tagged {tagged}");
        assert_eq!(streamed_pages, whole_pages, "{case}");
        assert!(
            streamed == whole,
            "{case}: the streamed file ({} bytes) differs from the whole one ({} bytes)",
            streamed.len(),
            whole.len()
        );
        let document = lopdf::Document::load_mem(&streamed).unwrap();
        assert_eq!(document.get_pages().len() as u32, streamed_pages, "{case}");
        if count == 400 {
            // Dozens of pages, each footer counting them all.
            assert!(streamed_pages > 15, "{streamed_pages} pages");
            let last = document.extract_text(&[streamed_pages]).unwrap();
            assert!(last.contains(&format!("Page {streamed_pages} of {streamed_pages}")), "{last}");
        }
    }
}
