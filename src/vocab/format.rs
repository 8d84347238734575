//! The report formats, by the names `--format` and the config file use.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// JUnit XML: a test suite per rule, a test case per result.
    Junit,
    /// One row per result (RFC 4180).
    Csv,
    /// One self-contained page.
    Html,
    /// Summary and failing results as Markdown tables (pull request comments, job summaries).
    Markdown,
    /// A JSON array of OCSF 1.6 Compliance Finding events (class 2003), for Security Hub and Security Lake.
    Ocsf,
}

impl Format {
    /// Every format, by the name `--format` and the config file use.
    pub const ALL: [(&'static str, Format); 8] = [
        ("table", Format::Table),
        ("json", Format::Json),
        ("sarif", Format::Sarif),
        ("junit", Format::Junit),
        ("csv", Format::Csv),
        ("html", Format::Html),
        ("markdown", Format::Markdown),
        ("ocsf", Format::Ocsf),
    ];

    pub fn parse(name: &str) -> Option<Format> {
        Format::ALL.iter().find(|(n, _)| *n == name).map(|&(_, f)| f)
    }
}
