//! axe-core, the accessibility checker, run inside the app's own WebKitGTK through WebDriver.
//! Its source comes from the UI's node_modules (a devDependency, installed by `make test`).

use std::path::Path;

use anyhow::Context;

use crate::app::AppSession;

fn axe_source() -> anyhow::Result<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).with_context(|| {
        format!(
            "reading {} (axe-core is a devDependency of ui/: `make test` installs it)",
            path.display()
        )
    })
}

/// The serious and critical problems axe finds in the page as it is now (colour contrast
/// included), one line each with up to three of the elements concerned; empty when none.
pub async fn serious_violations(app: &AppSession) -> anyhow::Result<Vec<String>> {
    let loaded: String = app
        .eval(
            &format!(
                "if (!window.axe) {{ {}\n; window.axe = typeof axe !== 'undefined' ? axe : window.axe; }} return typeof window.axe;",
                axe_source()?
            ),
            vec![],
        )
        .await?;
    anyhow::ensure!(
        loaded == "object",
        "axe-core did not load in the page ({loaded})"
    );
    let found = app
        .client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               window.axe.run(document, { resultTypes: ["violations"] })
                 .then((r) => done(r.violations
                   .filter((v) => v.impact === "serious" || v.impact === "critical")
                   .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(" ") + (n.failureSummary ? " — " + n.failureSummary.replace(/\s+/g, " ") : "")).join("; ")})`)))
                 .catch((e) => done([`axe failed: ${e}`]));"#,
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(found)?)
}
