//! The HTML report in a real browser: headless Chromium renders the demo's report at 1280 px, and a probe
//! script (added to a copy of the page here; the report itself carries no script) measures it. Then a
//! screenshot at 1280 px and a PDF print.
//!
//! Chromium comes from Debian's `chromium` package (`.ci/run` installs it). Where it is missing, the test
//! fails saying so; `ATREST_SKIP_BROWSER=1` skips it explicitly, and says that too.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::{atrest_in, root, tempdir};

fn chromium() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("ATREST_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

/// Runs Chromium headless on `page` with `args`, with a deadline; returns stdout.
fn headless(browser: &Path, profile: &Path, args: &[String], page: &Path) -> String {
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        // Chromium writes crash-report settings and dconf caches under HOME whatever the profile: keep
        // them in the test's folder.
        .env("HOME", profile.parent().unwrap())
        .env("XDG_CONFIG_HOME", profile.parent().unwrap().join("config"))
        .env("XDG_CACHE_HOME", profile.parent().unwrap().join("cache"))
        .args(args)
        .arg(format!("file://{}", page.display()))
        // Files, not pipes: the DOM runs past a pipe's buffer, and an unread pipe would stall Chromium.
        .stdout(std::fs::File::create(profile.with_extension("out")).unwrap())
        .stderr(std::fs::File::create(profile.with_extension("err")).unwrap())
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within 120 s: {args:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let status = child.wait().unwrap();
    let err = std::fs::read_to_string(profile.with_extension("err")).unwrap_or_default();
    assert!(status.success(), "chromium {args:?} failed: {err}");
    std::fs::read_to_string(profile.with_extension("out")).unwrap()
}

const PROBE: &str = r#"<script>
(() => {
  const doc = document.documentElement;
  const cut = [...document.querySelectorAll('td, th, pre, h1, h2, h3, p')]
    .filter(el => el.scrollWidth > el.clientWidth + 1).map(el => el.tagName + ':' + el.textContent.slice(0, 60));
  const past = [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1).map(el => el.tagName);
  const shown = [...document.querySelectorAll('tr[data-result]')]
    .filter(tr => tr.getBoundingClientRect().height > 0).length;
  document.body.setAttribute('data-probe', JSON.stringify({
    overflow: doc.scrollWidth - doc.clientWidth, width: window.innerWidth, cut, past: past.slice(0, 5), shown,
    rows: document.querySelectorAll('tr[data-result]').length,
    first: document.querySelector('section#failures') === document.querySelectorAll('section')[2],
  }));
})();
</script>"#;

#[test]
fn the_html_report_renders_at_1280_px_without_overflow_and_prints() {
    let Some(browser) = chromium() else {
        if std::env::var("ATREST_SKIP_BROWSER").as_deref() == Ok("1") {
            eprintln!("SKIPPED the browser check of the HTML report: ATREST_SKIP_BROWSER=1");
            return;
        }
        panic!(
            "the browser check of the HTML report needs Chromium and found none: install Debian's `chromium` \
             package (apt-get install chromium), set ATREST_CHROMIUM to a Chromium binary, or set \
             ATREST_SKIP_BROWSER=1 to skip this check knowingly"
        );
    };
    let dir = tempdir();
    let demo = root().join("fixtures/demo/snapshot.json");
    let demo = demo.to_str().unwrap();
    let o = atrest_in(&dir, &["audit", demo, "--format", "json", "-o", "report.json"]);
    assert_eq!(o.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&std::fs::read(dir.join("report.json")).unwrap()).unwrap();
    let results = report["results"].as_array().unwrap().len();
    let o = atrest_in(&dir, &["audit", demo, "--format", "html", "--show-pass", "-o", "report.html"]);
    assert_eq!(o.status.code(), Some(1));
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(!html.contains("<script"), "the report itself runs no script");

    let probe_page = dir.join("probe.html");
    std::fs::write(&probe_page, html.replace("</body>", &format!("{PROBE}</body>"))).unwrap();
    let profile = dir.join("profile");
    let dom = headless(&browser, &profile, &["--window-size=1280,900".into(), "--dump-dom".into()], &probe_page);
    let start = dom.find("data-probe=\"").expect("the probe ran") + "data-probe=\"".len();
    let end = start + dom[start..].find('"').unwrap();
    let probe: Value = serde_json::from_str(&dom[start..end].replace("&quot;", "\"").replace("&amp;", "&")).unwrap();
    assert_eq!(probe["width"], 1280, "{probe}");
    assert!(probe["overflow"].as_i64().unwrap() <= 0, "the page scrolls sideways at 1280 px: {probe}");
    assert_eq!(probe["past"].as_array().unwrap().len(), 0, "elements past the right edge: {probe}");
    assert_eq!(probe["cut"].as_array().unwrap().len(), 0, "cells whose content is cut off: {probe}");
    assert_eq!(probe["rows"].as_u64(), Some(results as u64), "every result is in the rendered DOM: {probe}");
    assert_eq!(probe["shown"].as_u64(), Some(results as u64), "every result row is displayed: {probe}");
    assert_eq!(probe["first"], true, "failures come right after the summary and controls: {probe}");

    let shot = dir.join("report.png");
    headless(
        &browser,
        &profile,
        &["--window-size=1280,1600".into(), format!("--screenshot={}", shot.display())],
        &dir.join("report.html"),
    );
    let png = std::fs::read(&shot).expect("a screenshot");
    assert_eq!(&png[1..4], b"PNG");
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    assert_eq!(width, 1280, "the screenshot is 1280 px wide");

    let pdf = dir.join("report.pdf");
    headless(
        &browser,
        &profile,
        &["--no-pdf-header-footer".into(), format!("--print-to-pdf={}", pdf.display())],
        &dir.join("report.html"),
    );
    let pdf = std::fs::read(&pdf).expect("a PDF");
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    let pages = pdf.windows(10).filter(|w| w == b"/Type /Pag" || w == b"/Type/Page").count();
    assert!(pages >= 2, "the demo's report prints on several pages ({pages})");
}
