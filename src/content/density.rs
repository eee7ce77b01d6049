//! How much of a report is shown in full, so that each edition keeps to its page budget.
//!
//! A report is built at the first density of its edition; the layout tries the denser ones in turn
//! (`ReportContent::denser`) until the pages fit the edition's budget: the executive edition 2
//! pages for any input, the team edition 5 for up to 8 goals and 15 stories. Denser levels show
//! fewer goals in the executive table (the rest are counted in a line pointing to the team report),
//! fewer stories in full (the most recent and most valuable; the rest are listed a line each), fewer
//! recommendations, charts for fewer goals (the most valuable; the goal table keeps every goal),
//! and clip what customers typed (titles, names) to a length.

use super::report::Edition;

/// One level of density.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Density {
    /// Goals in the goal table; the rest are counted in a line. `None`: all.
    pub goals: Option<usize>,
    /// Stories shown in full (team edition); the others are listed a line each.
    pub full_stories: usize,
    /// Stories shown at all (the executive edition lists them a line each).
    pub stories: usize,
    /// Recommendations shown.
    pub recommendations: usize,
    /// Titles and names customers typed, at most this many characters (with "…"). `None`: whole.
    pub clip: Option<usize>,
    /// Goal titles named in the summary's attention sentence.
    pub attention: usize,
    /// The ROI section values all goals in one table (a row per goal, a column per quarter) with
    /// each goal's formula as a note, instead of a table per goal.
    pub roi_compact: bool,
    /// Goal charts side by side in a row (team edition).
    pub charts_per_row: usize,
    /// Goals with a chart (team edition): all, or this many of the most valuable in the report
    /// quarter (the goal table above the charts lists every goal; a sentence says so).
    pub goal_charts: Option<usize>,
}

impl Density {
    /// The levels of an edition, the fullest first.
    pub fn levels(edition: Edition) -> Vec<Density> {
        match edition {
            Edition::Executive => vec![
                Density { goals: Some(6), full_stories: 0, stories: 2, recommendations: 3, clip: Some(140), attention: 3, roi_compact: false, charts_per_row: 2, goal_charts: None },
                Density { goals: Some(4), full_stories: 0, stories: 1, recommendations: 2, clip: Some(90), attention: 2, roi_compact: false, charts_per_row: 2, goal_charts: None },
                Density { goals: Some(2), full_stories: 0, stories: 0, recommendations: 1, clip: Some(60), attention: 1, roi_compact: false, charts_per_row: 2, goal_charts: None },
                Density { goals: Some(1), full_stories: 0, stories: 0, recommendations: 1, clip: Some(30), attention: 1, roi_compact: false, charts_per_row: 2, goal_charts: None },
            ],
            Edition::Team => vec![
                Density {
                    goals: None,
                    full_stories: 6,
                    stories: usize::MAX,
                    recommendations: usize::MAX,
                    clip: None,
                    attention: usize::MAX,
                    roi_compact: false,
                    charts_per_row: 2,
                    goal_charts: None,
                },
                Density {
                    goals: None,
                    full_stories: 4,
                    stories: usize::MAX,
                    recommendations: usize::MAX,
                    clip: None,
                    attention: usize::MAX,
                    roi_compact: false,
                    charts_per_row: 2,
                    goal_charts: None,
                },
                Density {
                    goals: None,
                    full_stories: 2,
                    stories: usize::MAX,
                    recommendations: usize::MAX,
                    clip: Some(400),
                    attention: 4,
                    roi_compact: false,
                    charts_per_row: 2,
                    goal_charts: None,
                },
                Density {
                    goals: None,
                    full_stories: 2,
                    stories: usize::MAX,
                    recommendations: 4,
                    clip: Some(200),
                    attention: 4,
                    roi_compact: true,
                    charts_per_row: 3,
                    goal_charts: None,
                },
                Density {
                    goals: None,
                    full_stories: 2,
                    stories: usize::MAX,
                    recommendations: 3,
                    clip: Some(120),
                    attention: 3,
                    roi_compact: true,
                    charts_per_row: 3,
                    goal_charts: None,
                },
                Density {
                    goals: None,
                    full_stories: 2,
                    stories: usize::MAX,
                    recommendations: 2,
                    clip: Some(80),
                    attention: 2,
                    roi_compact: true,
                    charts_per_row: 3,
                    goal_charts: None,
                },
                // Eight goals and fifteen stories on Letter paper in the longer languages (Malay):
                // two rows of charts, for the six goals of most value.
                Density {
                    goals: None,
                    full_stories: 2,
                    stories: usize::MAX,
                    recommendations: 2,
                    clip: Some(80),
                    attention: 2,
                    roi_compact: true,
                    charts_per_row: 3,
                    goal_charts: Some(6),
                },
            ],
        }
    }

    /// `text` clipped to this level's length.
    pub fn clip(&self, text: &str) -> String {
        match self.clip {
            Some(max) => clip(text, max),
            None => text.to_string(),
        }
    }
}

impl Edition {
    /// The most pages an edition should take (the layout's aim; see [`Density`]).
    pub fn page_budget(self) -> usize {
        match self {
            Edition::Executive => 2,
            Edition::Team => 5,
        }
    }
}

/// `text` cut to at most `max` characters, "…" included: after the last whole word when one ends
/// in the last third, else between characters (never before a combining mark or joiner).
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max || max == 0 {
        return text.to_string();
    }
    let keep = max.saturating_sub(1).max(1);
    let mut end = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
    // Never cut a mark, a joiner or a variation selector from its base.
    while end > 0 && text[end..].chars().next().is_some_and(attaches) {
        end = text[..end].char_indices().last().map_or(0, |(i, _)| i);
    }
    let head = &text[..end];
    let word_end = head.rfind(' ').filter(|&i| i >= end * 2 / 3);
    let head = match word_end {
        Some(i) => &head[..i],
        None => head,
    };
    format!("{}…", head.trim_end().trim_end_matches([',', ';', ':', '·', '-']).trim_end())
}

fn attaches(ch: char) -> bool {
    matches!(u32::from(ch), 0x200C | 0x200D | 0xFE00..=0xFE0F | 0xE0100..=0xE01EF | 0x0900..=0x0903 | 0x093A..=0x094F)
        || unicode_bidi::bidi_class(ch) == unicode_bidi::BidiClass::NSM
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_keeps_short_text_and_cuts_long_text_at_a_word() {
        assert_eq!(clip("Acme Logistics", 40), "Acme Logistics");
        let long = "Internationale Gesellschaft für Logistik, Spedition und Lagerhaltung Hamburg-Altona";
        let short = clip(long, 40);
        assert!(short.chars().count() <= 40, "{short}");
        assert!(short.ends_with('…'));
        let head = short.trim_end_matches('…');
        assert!(long.starts_with(head) && long[head.len()..].starts_with(' '), "{short}");
        // No spaces: between characters.
        let japanese = "株式会社さくら精密機械製作所東京本社営業部";
        assert_eq!(clip(japanese, 8), "株式会社さくら…");
        // A Devanagari vowel sign stays with its consonant.
        let hindi = "नमस्तेदुनियाकंपनीलिमिटेड";
        let short = clip(hindi, 5);
        let next = hindi[short.trim_end_matches('…').len()..].chars().next().unwrap();
        assert!(!attaches(next), "{short}");
    }

    #[test]
    fn every_edition_has_levels_that_get_denser() {
        for edition in [Edition::Executive, Edition::Team] {
            let levels = Density::levels(edition);
            assert!(levels.len() >= 2);
            for pair in levels.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                assert!(b.goals.unwrap_or(usize::MAX) <= a.goals.unwrap_or(usize::MAX));
                assert!(b.full_stories <= a.full_stories && b.stories <= a.stories);
                assert!(b.recommendations <= a.recommendations);
                assert!(b.clip.unwrap_or(usize::MAX) <= a.clip.unwrap_or(usize::MAX));
                assert!(b.roi_compact >= a.roi_compact && b.charts_per_row >= a.charts_per_row);
                assert!(b.goal_charts.unwrap_or(usize::MAX) <= a.goal_charts.unwrap_or(usize::MAX));
                assert_ne!(a, b, "{edition:?}: a level that changes nothing");
            }
        }
    }
}
