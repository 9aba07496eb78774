//! Default rule sets: which rule set an evaluation that names none is scored by.
//!
//! An admin sets, per region, kind and year (or all years), the rule set that is the default
//! there. An evaluation that names no rule set gets the default of the nearest region at or
//! above its department's region (county → city → province → national); inside one region a
//! default for the evaluation's year wins over one for all years. Where none is configured,
//! the national template [`NATIONAL_2021`], which adapts to the weights the table prints.

use super::evaluation::EvaluationKind;
use super::region::RegionCode;
use super::rules::NATIONAL_2021;

/// A rule set by id and, optionally, version (none: the latest version when it is used).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RuleSetRef {
    pub id: String,
    pub version: Option<u32>,
}

impl RuleSetRef {
    /// `id` or `id@version`, as rule sets are looked up.
    pub fn key(&self) -> String {
        match self.version {
            Some(v) => format!("{}@{v}", self.id),
            None => self.id.clone(),
        }
    }
}

/// One configured default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultEntry {
    /// GB/T 2260 code, `000000` for national.
    pub region: String,
    pub kind: EvaluationKind,
    /// The fiscal year, or `None` for every year.
    pub year: Option<i32>,
    pub rule_set: RuleSetRef,
}

/// Where an evaluation's rule set came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved<'a> {
    /// A configured default.
    Configured(&'a DefaultEntry),
    /// None configured: the national template.
    Template(RuleSetRef),
}

impl Resolved<'_> {
    /// The rule set to use.
    pub fn rule_set(&self) -> RuleSetRef {
        match self {
            Resolved::Configured(e) => e.rule_set.clone(),
            Resolved::Template(r) => r.clone(),
        }
    }
}

/// The default rule set of an evaluation of `kind` and `year` in `region`.
pub fn resolve<'a>(
    entries: &'a [DefaultEntry],
    region: &RegionCode,
    year: i32,
    kind: EvaluationKind,
) -> Resolved<'a> {
    for scope in region.up_to_national() {
        let here = |wanted: Option<i32>| {
            entries
                .iter()
                .find(|e| e.region == scope.as_str() && e.kind == kind && e.year == wanted)
        };
        if let Some(entry) = here(Some(year)).or_else(|| here(None)) {
            return Resolved::Configured(entry);
        }
    }
    Resolved::Template(RuleSetRef {
        id: NATIONAL_2021.to_owned(),
        version: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(region: &str, kind: EvaluationKind, year: Option<i32>, id: &str) -> DefaultEntry {
        DefaultEntry {
            region: region.into(),
            kind,
            year,
            rule_set: RuleSetRef {
                id: id.into(),
                version: None,
            },
        }
    }

    fn code(c: &str) -> RegionCode {
        RegionCode::parse_scope(c).unwrap()
    }

    fn id_of(r: Resolved<'_>) -> String {
        r.rule_set().id
    }

    use EvaluationKind::{Department, Project};

    #[test]
    fn nothing_configured_gives_the_national_template() {
        let r = resolve(&[], &code("420102"), 2024, Project);
        assert_eq!(
            r,
            Resolved::Template(RuleSetRef {
                id: "national-2021".into(),
                version: None
            })
        );
    }

    #[test]
    fn the_nearest_region_wins() {
        let entries = [
            entry("000000", Project, None, "national-x"),
            entry("420000", Project, None, "hubei"),
            entry("430400", Project, None, "hengyang"),
            entry("430424", Project, Some(2024), "hengdong-2024"),
        ];
        assert_eq!(
            id_of(resolve(&entries, &code("420102"), 2024, Project)),
            "hubei"
        );
        assert_eq!(
            id_of(resolve(&entries, &code("421000"), 2024, Project)),
            "hubei"
        );
        assert_eq!(
            id_of(resolve(&entries, &code("430426"), 2024, Project)),
            "hengyang"
        );
        assert_eq!(
            id_of(resolve(&entries, &code("430424"), 2024, Project)),
            "hengdong-2024"
        );
        // Another year of the county falls through to the city.
        assert_eq!(
            id_of(resolve(&entries, &code("430424"), 2023, Project)),
            "hengyang"
        );
        assert_eq!(
            id_of(resolve(&entries, &code("510100"), 2024, Project)),
            "national-x"
        );
        // Kinds do not mix.
        assert!(matches!(
            resolve(&entries, &code("430424"), 2024, Department),
            Resolved::Template(_)
        ));
    }

    #[test]
    fn a_year_beats_all_years_in_one_region() {
        let entries = [
            entry("420000", Department, None, "all-years"),
            entry("420000", Department, Some(2024), "only-2024"),
        ];
        assert_eq!(
            id_of(resolve(&entries, &code("420102"), 2024, Department)),
            "only-2024"
        );
        assert_eq!(
            id_of(resolve(&entries, &code("420102"), 2025, Department)),
            "all-years"
        );
        // …but a nearer region's all-years default beats a farther region's year.
        let mut nearer = entries.to_vec();
        nearer.push(entry("420100", Department, None, "wuhan"));
        assert_eq!(
            id_of(resolve(&nearer, &code("420102"), 2024, Department)),
            "wuhan"
        );
    }

    #[test]
    fn keys_name_the_version() {
        let r = RuleSetRef {
            id: "hubei-2024".into(),
            version: Some(2),
        };
        assert_eq!(r.key(), "hubei-2024@2");
        assert_eq!(RuleSetRef { version: None, ..r }.key(), "hubei-2024");
    }
}
