//! Header names: how they compare, and the `[columns]` map from our column names to a vendor's.
//!
//! Exports from a CRM or a CS platform name their columns their own way (`Account ID`, `ARR`,
//! `NextRenewalDate`). Rather than reshaping the file, `valuereport.toml` says which of their columns
//! is which of ours — per file, explicitly, or through a built-in preset for a standard export.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::FileKind;

/// How header names compare: surrounding spaces trimmed, case ignored, and any run of spaces and
/// underscores alike (`Account ID`, `account_id` and `ACCOUNT__ID` are one name).
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut gap = false;
    for c in name.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}').chars() {
        if c.is_whitespace() || c == '_' {
            gap = true;
            continue;
        }
        if gap && !out.is_empty() {
            out.push('_');
        }
        gap = false;
        out.extend(c.to_lowercase());
    }
    out
}

/// A built-in column map for the standard export of a CRM or CS platform (docs/input-format.md
/// lists each one's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Preset {
    Salesforce,
    Hubspot,
    Gainsight,
    Churnzero,
}

impl Preset {
    pub fn as_str(self) -> &'static str {
        match self {
            Preset::Salesforce => "salesforce",
            Preset::Hubspot => "hubspot",
            Preset::Gainsight => "gainsight",
            Preset::Churnzero => "churnzero",
        }
    }

    /// Our column → the names this tool's export may give it, for the files the tool exports.
    pub fn names(self, kind: FileKind) -> &'static [(&'static str, &'static [&'static str])] {
        match (self, kind) {
            (Preset::Salesforce, FileKind::Account) => &[
                ("customer_id", &["Account ID", "Id"]),
                ("customer_name", &["Account Name", "Name"]),
                ("renewal_date", &["Renewal Date", "Contract End Date"]),
                ("annual_investment", &["ARR", "Annual Recurring Revenue"]),
                ("currency", &["Account Currency", "CurrencyIsoCode"]),
                ("contract_start", &["Contract Start Date"]),
                ("segment", &["Account Segment"]),
                ("csm_name", &["Account Owner", "Customer Success Manager"]),
                ("csm_email", &["Account Owner Email"]),
            ],
            (Preset::Salesforce, FileKind::Opportunities) => &[
                ("opportunity_id", &["Opportunity ID"]),
                ("title", &["Opportunity Name"]),
                ("annual_value", &["ARR", "Annual Recurring Revenue"]),
                ("start_date", &["Close Date"]),
            ],
            (Preset::Hubspot, FileKind::Account) => &[
                ("customer_id", &["Record ID", "Company ID"]),
                ("customer_name", &["Company name"]),
                ("renewal_date", &["Renewal Date", "Contract End Date"]),
                ("annual_investment", &["Annual recurring revenue", "ARR"]),
                ("currency", &["Company currency"]),
                ("contract_start", &["Contract Start Date"]),
                ("csm_name", &["Company owner"]),
            ],
            (Preset::Hubspot, FileKind::Opportunities) => &[
                ("opportunity_id", &["Record ID", "Deal ID"]),
                ("title", &["Deal Name"]),
                ("description", &["Deal Description"]),
                ("annual_value", &["Annual recurring revenue", "ARR"]),
                ("confidence", &["Deal probability"]),
                ("start_date", &["Close Date"]),
            ],
            (Preset::Gainsight, FileKind::Account) => &[
                ("customer_id", &["Company ID", "External ID", "GSID"]),
                ("customer_name", &["Company Name", "Name"]),
                ("renewal_date", &["Renewal Date"]),
                ("annual_investment", &["ARR"]),
                ("currency", &["Currency Code"]),
                ("contract_start", &["Original Contract Date"]),
                ("csm_name", &["CSM", "CSM Name"]),
                ("csm_email", &["CSM Email"]),
            ],
            (Preset::Churnzero, FileKind::Account) => &[
                ("customer_id", &["accountExternalId", "Account External ID"]),
                ("customer_name", &["Name", "Account Name"]),
                ("renewal_date", &["NextRenewalDate", "Next Renewal Date"]),
                ("annual_investment", &["TotalContractAmount", "Total Contract Amount"]),
                ("contract_start", &["StartDate", "Start Date"]),
                ("csm_name", &["OwnerName", "Owner Name"]),
            ],
            _ => &[],
        }
    }
}

/// One name or several, as `[columns]` accepts them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Names {
    One(String),
    Many(Vec<String>),
}

impl Names {
    fn list(&self) -> Vec<String> {
        match self {
            Names::One(name) => vec![name.clone()],
            Names::Many(names) => names.clone(),
        }
    }
}

/// `[columns]` in `valuereport.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSettings {
    pub preset: Option<Preset>,
    #[serde(default)]
    pub account: BTreeMap<String, Names>,
    #[serde(default)]
    pub goals: BTreeMap<String, Names>,
    #[serde(default)]
    pub metrics: BTreeMap<String, Names>,
    #[serde(default)]
    pub stories: BTreeMap<String, Names>,
    #[serde(default)]
    pub opportunities: BTreeMap<String, Names>,
    #[serde(default)]
    pub health: BTreeMap<String, Names>,
    #[serde(default)]
    pub nps: BTreeMap<String, Names>,
}

/// Other names one of our columns may have in a file's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    /// Our name, as the input contract spells it.
    pub column: &'static str,
    /// Their names, as written in `valuereport.toml` or the preset.
    pub names: Vec<String>,
    /// `None` for an explicit `[columns]` entry (the file must have one of `names`); the preset's
    /// name otherwise (the file may have none).
    pub preset: Option<Preset>,
}

impl ColumnSettings {
    fn explicit(&self, kind: FileKind) -> &BTreeMap<String, Names> {
        match kind {
            FileKind::Account => &self.account,
            FileKind::Goals => &self.goals,
            FileKind::Metrics => &self.metrics,
            FileKind::Stories => &self.stories,
            FileKind::Opportunities => &self.opportunities,
            FileKind::Health => &self.health,
            FileKind::Nps => &self.nps,
        }
    }

    /// Every key names a column of its file, and every entry at least one name: a typo must not
    /// silently leave a column unmapped. The message for `valuereport.toml`.
    pub fn check(&self) -> Result<(), String> {
        for kind in FileKind::ALL {
            for (key, names) in self.explicit(kind) {
                let file = kind.settings_key();
                if !kind.columns().contains(&key.as_str()) {
                    return Err(format!(
                        "[columns] {file}.{key}: {} has no column '{key}'; its columns are {}",
                        kind.file_name(),
                        kind.columns().join(", ")
                    ));
                }
                let names = names.list();
                if names.is_empty() || names.iter().any(|name| normalize(name).is_empty()) {
                    return Err(format!(
                        "[columns] {file}.{key}: expected the header name(s) of that column in your export, \
                         e.g. {file}.{key} = [\"Account ID\"]"
                    ));
                }
            }
        }
        Ok(())
    }

    /// The aliases for `kind`'s columns: explicit entries, then the preset's for columns without one.
    pub fn aliases(&self, kind: FileKind) -> Vec<Alias> {
        let explicit = self.explicit(kind);
        let mut aliases: Vec<Alias> = kind
            .columns()
            .iter()
            .filter_map(|&column| {
                explicit.get(column).map(|names| Alias { column, names: names.list(), preset: None })
            })
            .collect();
        if let Some(preset) = self.preset {
            for &(column, names) in preset.names(kind) {
                if !explicit.contains_key(column) {
                    let names = names.iter().map(|name| name.to_string()).collect();
                    aliases.push(Alias { column, names, preset: Some(preset) });
                }
            }
        }
        aliases
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_without_case_spaces_or_underscores() {
        for same in ["account_id", "Account ID", " ACCOUNT  ID ", "account__id", "\u{FEFF}Account_ID"] {
            assert_eq!(normalize(same), "account_id", "{same:?}");
        }
        assert_eq!(normalize("NextRenewalDate"), "nextrenewaldate");
        assert_eq!(normalize("  "), "");
    }

    #[test]
    fn explicit_entries_win_over_the_preset_and_typos_are_refused() {
        let settings: ColumnSettings = toml::from_str(
            "preset = \"churnzero\"\naccount.annual_investment = \"ARR\"\naccount.customer_id = [\"Acct\", \"ID\"]\n",
        )
        .unwrap();
        settings.check().unwrap();
        let aliases = settings.aliases(FileKind::Account);
        let of = |column: &str| aliases.iter().find(|a| a.column == column).cloned().unwrap();
        assert_eq!(of("annual_investment"), Alias { column: "annual_investment", names: vec!["ARR".into()], preset: None });
        assert_eq!(of("customer_id").names, ["Acct", "ID"]);
        assert_eq!(of("renewal_date").preset, Some(Preset::Churnzero));
        assert_eq!(aliases.iter().filter(|a| a.column == "customer_id").count(), 1);

        let typo: ColumnSettings = toml::from_str("account.customer_idd = \"Account ID\"\n").unwrap();
        let message = typo.check().unwrap_err();
        assert!(message.contains("has no column 'customer_idd'") && message.contains("customer_id,"), "{message}");
        let empty: ColumnSettings = toml::from_str("metrics.value = []\n").unwrap();
        assert!(empty.check().unwrap_err().contains("metrics.value"));
        assert!(toml::from_str::<ColumnSettings>("preset = \"zoho\"\n").is_err());
        assert!(toml::from_str::<ColumnSettings>("accounts.customer_id = \"x\"\n").is_err());
    }

    #[test]
    fn every_preset_name_maps_a_real_column_and_no_name_twice() {
        for preset in [Preset::Salesforce, Preset::Hubspot, Preset::Gainsight, Preset::Churnzero] {
            for kind in FileKind::ALL {
                let mut seen = std::collections::HashSet::new();
                for &(column, names) in preset.names(kind) {
                    assert!(kind.columns().contains(&column), "{preset:?} {column}");
                    for name in names {
                        assert!(seen.insert(normalize(name)), "{preset:?} maps {name} twice");
                        assert!(!kind.columns().contains(&normalize(name).as_str()) || normalize(name) == column);
                    }
                }
            }
        }
    }
}
