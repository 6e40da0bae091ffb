//! `wsf desktop install|remove`: a menu entry for people who never open a terminal (it runs
//! `wsf ui`, which starts the node when none runs and opens the page), and an optional systemd
//! user unit that starts the node at login.

use std::path::PathBuf;

use anyhow::Context as _;

use super::Ctx;
use crate::args::DesktopCmd;
use crate::output;

fn places() -> anyhow::Result<(PathBuf, PathBuf)> {
    let base = directories::BaseDirs::new().context("no home directory")?;
    Ok((
        base.data_dir().join("applications").join("wsf.desktop"),
        base.config_dir().join("systemd/user/wsf.service"),
    ))
}

/// A value for a desktop-entry `Exec` key: the program quoted as that format wants.
fn exec_quote(path: &str) -> String {
    let escaped: String = path
        .chars()
        .flat_map(|c| match c {
            '"' | '`' | '$' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    format!("\"{escaped}\"")
}

pub fn run(ctx: Ctx, cmd: DesktopCmd) -> anyhow::Result<()> {
    let (entry, unit) = places()?;
    match cmd {
        DesktopCmd::Install { autostart } => {
            let exe = std::env::current_exe().context("cannot find the wsf program")?;
            let exe = exe.to_string_lossy();
            let data = ctx.data.root().to_string_lossy().into_owned();
            let exec = format!("{} --data-dir {} ui", exec_quote(&exe), exec_quote(&data));
            let text = format!(
                "[Desktop Entry]\nType=Application\nName=World Solidarity Forum\n\
                 Comment=Share resources, good practices and campaign calls with your partners\n\
                 Exec={exec}\nTerminal=false\nCategories=Network;Office;\n"
            );
            write(&entry, &text)?;
            if autostart {
                let unit_text = include_str!("../../../docs/systemd/wsf.service")
                    .replace(
                        "ExecStart=%h/.cargo/bin/wsf node --unlock-on-page",
                        &format!(
                            "ExecStart={} --data-dir {} node --unlock-on-page",
                            exec_quote(&exe),
                            exec_quote(&data)
                        ),
                    )
                    .replace(
                        "ReadWritePaths=%h/.local/share/wsf",
                        &format!("ReadWritePaths={}", exec_quote(&data)),
                    );
                write(&unit, &unit_text)?;
                let enabled = std::process::Command::new("systemctl")
                    .args(["--user", "daemon-reload"])
                    .status()
                    .is_ok_and(|s| s.success())
                    && std::process::Command::new("systemctl")
                        .args(["--user", "enable", "--now", "wsf"])
                        .status()
                        .is_ok_and(|s| s.success());
                if !enabled && !ctx.json {
                    eprintln!(
                        "warning: could not enable the unit; run `systemctl --user enable --now wsf`"
                    );
                }
            }
            if ctx.json {
                return output::json(&serde_json::json!({
                    "entry": entry, "unit": autostart.then_some(&unit)
                }));
            }
            println!("added {} to the applications menu", entry.display());
            if autostart {
                println!("the node starts at login ({})", unit.display());
            }
            Ok(())
        }
        DesktopCmd::Remove => {
            for path in [&entry, &unit] {
                match std::fs::remove_file(path) {
                    Ok(()) => println!("removed {}", path.display()),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => {
                        return Err(e).with_context(|| format!("cannot remove {}", path.display()));
                    }
                }
            }
            Ok(())
        }
    }
}

fn write(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}
