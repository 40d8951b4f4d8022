//! `chaptercast download <URL> --out <PATH>`: the engine's download path (`.part`, resume,
//! retries) with a progress bar on a terminal. Exit 0 only when PATH holds the whole file.

use std::io::IsTerminal;
use std::path::PathBuf;

use chaptercast_engine::download::transfer::{self, DownloadError, RetryPolicy, TransferControl};
use indicatif::{ProgressBar, ProgressStyle};

use crate::engine_access::{http_client, runtime};

pub fn download_command(url: &str, out: PathBuf) -> Result<(), String> {
    if out.is_dir() {
        return Err(format!(
            "{} is a folder: give the file to write",
            out.display()
        ));
    }
    let http = http_client()?;
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:32} {bytes}/{total_bytes} {bytes_per_sec} {eta} left",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    });
    let resumed_from = transfer::partial_len(&out);
    let control = TransferControl::default();
    let progress_bar = bar.clone();
    let result = runtime()?.block_on(transfer::download(
        &http,
        url,
        &out,
        RetryPolicy {
            // A script is told, and can run again: it does not wait for the network.
            wait_offline: Some(std::time::Duration::ZERO),
            ..RetryPolicy::default()
        },
        transfer::Limits::default(),
        &control,
        move |p| {
            if let Some(bar) = &progress_bar {
                if let Some(total) = p.total {
                    bar.set_length(total);
                }
                bar.set_position(p.downloaded);
            }
        },
    ));
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    match result {
        Ok(size) => {
            tracing::info!(size, resumed_from, "download complete");
            Ok(())
        }
        Err(e) => {
            // Whatever sits at PATH must be whole; a partial file only ever lives at PATH.part.
            let kept = transfer::partial_len(&out);
            let hint = if kept > 0 {
                format!(
                    " ({kept} bytes kept in {}; run again to resume)",
                    transfer::part_path(&out).display()
                )
            } else {
                String::new()
            };
            Err(match e {
                DownloadError::Net(net) | DownloadError::Unanswered(net) => {
                    format!("{net}{hint}")
                }
                other => format!("{other}{hint}"),
            })
        }
    }
}
