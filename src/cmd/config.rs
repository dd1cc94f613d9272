//! `listpulse config example` prints the commented example shipped in
//! `fixtures/config/example.toml` (saved at the repository root, it runs
//! against the demo's fixtures; a test runs it). `listpulse config check`
//! validates a configuration and every file it names without writing
//! anything: exit 0 all good, 1 an input is missing, unreadable or invalid
//! (each named on its own line), 2 the file itself is invalid.

use std::io::Write;

use crate::cli::ConfigCheckArgs;
use crate::config::Settings;
use crate::inputs;
use crate::messages::{err_message, errored, warn_message};

use super::Outcome;

/// Prints the commented example configuration on stdout.
pub fn example() -> anyhow::Result<Outcome> {
    std::io::stdout().write_all(crate::config::EXAMPLE.as_bytes())?;
    Ok(Outcome::Success)
}

/// Checks the configuration `args.config` and every path and input it names.
pub fn check(args: &ConfigCheckArgs) -> anyhow::Result<Outcome> {
    // A bad file is an error: exit 2, one line with its line number.
    let settings = Settings::load(&args.config, None, super::today())?;
    if settings.database.exists() {
        if let Err(e) = crate::store::check(&settings.database) {
            err_message(e);
        }
    } else if let Some(dir) = settings
        .database
        .parent()
        .filter(|d| !d.as_os_str().is_empty() && d.exists() && !d.is_dir())
    {
        err_message(format_args!(
            "{}: not a folder, so the database cannot be created in it",
            dir.display()
        ));
    }
    for (key, folder) in [
        ("output", &settings.output),
        ("comparison_output", &settings.comparison_output),
    ] {
        if folder.exists() && !folder.is_dir() {
            err_message(format_args!(
                "{}: `{key}` names a file, not a folder",
                folder.display()
            ));
        }
    }
    for w in super::run::placement_warnings(&settings) {
        warn_message(w);
    }
    let mut archive_files = 0;
    let mut inputs_read = 0;
    for c in &settings.coalitions {
        // Names each pattern or path that matches nothing.
        // Folders are walked as `ingest` walks them.
        for found in crate::ingest::discover(&super::run::archive_paths(c)) {
            match found.map(|p| std::fs::File::open(&p).map_err(|e| (p, e))) {
                Ok(Ok(_)) => archive_files += 1,
                Ok(Err((p, e))) => err_message(format_args!("{}: {e}", p.display())),
                Err(e) => err_message(e),
            }
        }
        let mut read = |result: Result<(), inputs::InputError>| match result {
            Ok(()) => inputs_read += 1,
            Err(e) => err_message(e),
        };
        for r in &c.rosters {
            read(inputs::roster::read(&r.path).map(drop));
        }
        if let Some(path) = &c.roster {
            read(inputs::roster::read(path).map(drop));
        }
        if let Some(path) = &c.checkins {
            read(inputs::checkins::read(path).map(drop));
        }
        if let Some(path) = &c.aliases {
            read(inputs::aliases::read(path).map(drop));
        }
    }
    if errored() {
        return Ok(Outcome::SomeRejected);
    }
    println!(
        "{}: valid; {} coalition(s), {archive_files} archive file(s) and {inputs_read} roster, check-in and aliases file(s) readable",
        args.config.display(),
        settings.coalitions.len()
    );
    Ok(Outcome::Success)
}
